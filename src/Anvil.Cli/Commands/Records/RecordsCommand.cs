using System.CommandLine;
using Anvil.Cli.Commands.Records;

// Beside the other top-level commands (DbCommand, UserCommand …), so that AnvilCommandLine registers it in one line.
namespace Anvil.Cli.Commands;

/// <summary>
/// <c>anvil records …</c>: ARA's CLI (<c>ara playbook list</c> …) for Anvil's records, on the local database or a
/// server (<c>--server</c>), with table, JSON, CSV and YAML output. Every call goes through the records API.
/// </summary>
internal static class RecordsCommand
{
    public static Command Create()
    {
        var prune = RetentionCommands.Prune("prune");
        prune.Description = "Short for 'anvil records playbook prune': delete playbooks older than --days (a dry run unless --confirm).";
        var expire = RetentionCommands.Expire("expire");
        expire.Description = "Short for 'anvil records playbook expire' (ARA's 'ara expire').";
        return new Command("records", "Query and clean up the recorded runs (ARA's CLI): playbooks, plays, tasks, hosts, results, records, files; export them as a static site.")
        {
            PlaybookCommands.Create(),
            PlayCommands.Create(),
            TaskCommands.Create(),
            HostCommands.Create(),
            ResultCommands.Create(),
            RecordCommands.Create(),
            FileCommands.Create(),
            prune,
            expire,
            RecordsExportCommand.Create(),
        };
    }
}
