using System.Text.Json.Nodes;
using Anvil.Runner.Inputs;

namespace Anvil.Runner.Streaming;

/// <summary>
/// <c>transmit</c>: writes <c>{"kwargs": …}</c>, <c>{"zipfile": N}</c> and the zip of the private data dir, then
/// <c>{"eof": true}</c>, as ansible-runner 2.3.1 does, except that <c>artifacts/</c> of earlier runs stays home
/// (ansible-runner sends it: 112 KB instead of 3.5 KB observed; its worker does not need it).
/// </summary>
public static class StreamTransmitter
{
    /// <summary>Top-level entries of the private data dir that are never sent.</summary>
    public static readonly IReadOnlyCollection<string> NotSent = ["artifacts", "daemon.log", "pid"];

    /// <summary>Writes the job stream of <paramref name="options"/> to <paramref name="output"/>.</summary>
    /// <exception cref="RunnerInputException">The private data dir is missing, or neither a playbook nor a module is
    /// given.</exception>
    public static async Task<StreamResult> TransmitAsync(RunnerOptions options, Stream output, CancellationToken ct)
    {
        if (!Directory.Exists(options.PrivateDataDir))
        {
            throw new RunnerInputException($"{options.PrivateDataDir}: the private data dir does not exist");
        }
        if (options.Playbook is null && options.Module is null)
        {
            throw new RunnerInputException("The -p option must be specified when not using -m or -r");
        }
        var kwargs = JobKwargs.FromOptions(options);
        var writer = new StreamFrameWriter(output);
        // The zip is built first: a private data dir that cannot be read fails before anything is written.
        var zip = DirectoryZip.CreateTemp(options.PrivateDataDir, NotSent);
        try
        {
            writer.WriteJson(new JsonObject { ["kwargs"] = kwargs });
            await writer.WriteZipAsync(zip, ct).ConfigureAwait(false);
            writer.WriteEof();
        }
        finally
        {
            File.Delete(zip);
        }
        return new StreamResult { Status = RunStatus.Unstarted, Rc = 0 };
    }
}
