using System.CommandLine;
using Anvil.Cli.Commands.Collection;

// Beside the other top-level commands, so that AnvilCommandLine registers it in one line.
namespace Anvil.Cli.Commands;

/// <summary>
/// <c>anvil collection …</c>: ansible-galaxy's collection commands (init, build, install, download, list, verify, publish),
/// compatible with ansible-galaxy 2.14 and any Galaxy v3 server, built on Anvil.Galaxy.
/// </summary>
internal static class CollectionCommand
{
    public static Command Create() => new("collection", "Create, build, install, download, list, verify and publish Ansible collections (ansible-galaxy compatible).")
    {
        InitBuildCommands.Init(),
        InitBuildCommands.Build(),
        InstallCommand.Install(),
        InstallCommand.Download(),
        ListVerifyCommands.List(),
        ListVerifyCommands.Verify(),
        PublishCommand.Publish(),
    };
}
