using System.CommandLine;
using System.Text;
using Anvil.Runner;
using Anvil.Runner.Streaming;

namespace Anvil.Cli.Commands;

/// <summary><c>anvil process PRIVATE_DATA_DIR [-i IDENT]</c>: ansible-runner's <c>process</c>: a worker's result
/// stream on standard input becomes the artifacts of a local run; unlike ansible-runner, the exit code is the job's
/// rc, and 255 when the stream was cut, garbled or reported a worker error.</summary>
internal static class ProcessCommand
{
    public static Command Create()
    {
        var pdd = new Argument<string>("private_data_dir") { Description = "where the artifacts go (PRIVATE_DATA_DIR/artifacts/IDENT)" };
        var ident = new Option<string?>("--ident", "-i")
        { Description = "the artifact directory's name (default: the job's runner_ident from the stream)", HelpName = "IDENT" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "do not print the job's output; the artifacts are still written" };
        var command = new Command("process", "Read a worker's result stream on standard input and write the artifacts " +
                                             "(job_events/, stdout, status, rc …) as a local run would; the exit code " +
                                             "is the job's rc, 255 when the stream failed.")
        {
            pdd, ident, quiet,
        };
        GroupedHelp.Apply(command, "… | anvil worker | anvil process PRIVATE_DATA_DIR [-i IDENT] [-q]", ("Process options", [ident, quiet]));
        command.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            // Console.Out flushes every write; the job's text is flushed whenever the stream is caught up instead.
            await using var own = parse.GetValue(quiet) || output != Console.Out
                ? null
                : new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 64 * 1024);
            var display = parse.GetValue(quiet) ? null : own ?? output;
            await using var stdin = Console.OpenStandardInput();
            StreamResult result;
            try
            {
                result = await AnsibleRunner.StreamAsync(new RunnerOptions
                {
                    PrivateDataDir = parse.GetValue(pdd)!,
                    Ident = parse.GetValue(ident),
                    Streaming = new StreamingOptions { Mode = StreamMode.Process, Input = stdin, Display = display },
                }, ct);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return RunCommand.Fail(error, $"cannot write the artifacts: {e.Message}");
            }
            if (result.Explanation is not null)
            {
                await error.WriteLineAsync($"anvil: error: {result.Explanation} (status {result.Status}, rc {result.Rc}, " +
                                           $"in {result.ArtifactDir})");
            }
            return result.Rc;
        });
        return command;
    }
}
