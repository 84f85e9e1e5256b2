using System.CommandLine;
using Anvil.Runner.Streaming;

namespace Anvil.Cli.Commands;

/// <summary><c>anvil worker cleanup</c>: ansible-runner's <c>worker cleanup</c>, removing old private data dirs
/// and container images on an execution node.</summary>
internal static class WorkerCleanupCommand
{
    public static Command Create()
    {
        var pattern = new Option<string?>("--file-pattern")
        { Description = "glob of private data dirs to remove, e.g. --file-pattern='/tmp/.ansible-runner-*'", HelpName = "GLOB" };
        var exclude = new Option<string[]>("--exclude-strings")
        {
            Description = "keep directories whose path contains any of these",
            HelpName = "TEXT",
            AllowMultipleArgumentsPerToken = true,
        };
        var images = new Option<string[]>("--remove-images")
        {
            Description = "image tags to remove with the container engine",
            HelpName = "TAG",
            AllowMultipleArgumentsPerToken = true,
        };
        var grace = new Option<int>("--grace-period")
        {
            Description = "keep directories modified within this many minutes; 0 keeps none for that reason (default: 60)",
            HelpName = "MINUTES",
            DefaultValueFactory = _ => 60,
        };
        var prune = new Option<bool>("--image-prune") { Description = "run the engine's 'image prune --force' after untagging" };
        var engine = new Option<string>("--process-isolation-executable")
        { Description = "container engine for the images (default: podman)", HelpName = "PROGRAM", DefaultValueFactory = _ => "podman" };
        var command = new Command("cleanup", "Remove private data dirs of earlier jobs (not of running ones) and container images.")
        {
            pattern, exclude, images, grace, prune, engine,
        };
        GroupedHelp.Apply(command, "anvil worker cleanup [--file-pattern GLOB] [--exclude-strings …] [--remove-images …] [options]",
            ("Cleanup options", [pattern, exclude, images, grace, prune, engine]));
        command.SetAction(async (parse, ct) =>
        {
            var error = parse.InvocationConfiguration.Error;
            if (parse.GetValue(grace) < 0)
            {
                return RunCommand.Fail(error, $"--grace-period must be 0 or more minutes, got {parse.GetValue(grace)}");
            }
            try
            {
                await WorkerCleanup.RunAsync(new WorkerCleanupOptions
                {
                    FilePattern = parse.GetValue(pattern),
                    // ansible-runner's help calls these comma separated lists; accept both forms.
                    ExcludeStrings = Split(parse.GetValue(exclude)),
                    RemoveImages = Split(parse.GetValue(images)),
                    GracePeriod = TimeSpan.FromMinutes(parse.GetValue(grace)),
                    ImagePrune = parse.GetValue(prune),
                    ProcessIsolationExecutable = parse.GetValue(engine)!,
                }, parse.InvocationConfiguration.Output, ct);
                return 0;
            }
            catch (WorkerCleanupException e)
            {
                return RunCommand.Fail(error, e.Message);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return RunCommand.Fail(error, e.Message);
            }
        });
        return command;
    }

    private static List<string> Split(string[]? values) =>
        (values ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
}
