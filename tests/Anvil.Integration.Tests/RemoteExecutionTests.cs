using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace Anvil.Integration.Tests;

/// <summary>
/// Remote execution (transmit | worker | process) as real processes, mixing Anvil and Debian's ansible-runner 2.3.1
/// both ways: each pipeline must leave the same artifacts as a local run of the same fixture. A cut or garbled
/// stream must never pass for success in Anvil's processor.
/// </summary>
[Trait("Category", "Integration")]
public class RemoteExecutionTests
{
    private static string Anvil => Path.Combine(AppContext.BaseDirectory, "anvil");
    private static string[] AnvilCmd(params string[] args) => [Anvil, .. args];
    private static string[] RunnerCmd(params string[] args) => ["ansible-runner", .. args];

    public static TheoryData<string, string, string, int> Pipelines => new()
    {
        { "anvil-ar-anvil", "ok.yml", "successful", 0 },
        { "ar-anvil-ar", "ok.yml", "successful", 0 },
        { "anvil-anvil-anvil", "ok.yml", "successful", 0 },
        { "anvil-ar-anvil", "failed.yml", "failed", 2 },
        { "ar-anvil-ar", "failed.yml", "failed", 2 },
        { "anvil-anvil-anvil", "failed.yml", "failed", 2 },
    };

    [Theory]
    [MemberData(nameof(Pipelines))]
    public async Task Pipeline_GivesTheArtifactsOfALocalRun(string kind, string playbook, string status, int rc)
    {
        using var local = Fixtures.Copy(Fixtures.FixturePdd);
        using var controller = Fixtures.Copy(Fixtures.FixturePdd);
        using var results = new TempDir();
        var localRun = Fixtures.RunAnvilAsync(local.Path, playbook, ident: "job1");
        var parts = kind.Split('-');
        string[] Stage(string who, params string[] args) => who == "anvil" ? AnvilCmd(args) : RunnerCmd(args);
        var transmit = Stage(parts[0], "transmit", controller.Path, "-p", playbook, "-i", "job1");
        var worker = Stage(parts[1], "worker");
        var process = parts[2] == "anvil"
            ? AnvilCmd("process", results.Path, "-i", "job1", "-q")
            : RunnerCmd("process", results.Path, "-i", "job1");
        var codes = await PipeAsync(transmit, worker, process);

        Assert.Equal(0, codes[0]);
        Assert.Equal(rc, codes[1]); // both workers exit with the job's rc
        Assert.Equal(parts[2] == "anvil" ? rc : 0, codes[2]); // ansible-runner's processor always exits 0
        var remoteDir = Path.Combine(results.Path, "artifacts", "job1");
        var localResult = await localRun;
        Assert.Equal(status, File.ReadAllText(Path.Combine(remoteDir, "status")));
        Assert.Equal(rc.ToString(), File.ReadAllText(Path.Combine(remoteDir, "rc")));
        Assert.Equal(localResult.Status, File.ReadAllText(Path.Combine(remoteDir, "status")));
        AssertSameEvents(localResult.ArtifactDir, remoteDir);
        Assert.Equal(Lines(File.ReadAllText(Path.Combine(localResult.ArtifactDir, "stdout"))),
            Lines(File.ReadAllText(Path.Combine(remoteDir, "stdout"))));
        if (parts[1] == "anvil")
        {
            // ansible-runner 2.3.1 zips stdout before its last write is flushed at times (runner.md 10.24);
            // an Anvil worker's is the events' text exactly.
            Fixtures.AssertStdoutMatchesEvents(remoteDir);
        }
        foreach (var name in new[] { "command", "stdout", "stderr", "status", "rc", "job_events" })
        {
            Assert.True(Path.Exists(Path.Combine(remoteDir, name)), $"{name} is in the processed artifacts");
        }
        // Anvil's transmit leaves the controller's earlier artifacts at home.
        Assert.False(Directory.Exists(Path.Combine(controller.Path, "artifacts")));
    }

    [Fact]
    public async Task Transmit_SendsNoEarlierArtifacts_AndAnsibleRunnersWorkerRunsIt()
    {
        using var controller = Fixtures.Copy(Fixtures.FixturePdd);
        await Fixtures.RunAnvilAsync(controller.Path, "ok.yml", ident: "earlier");
        Assert.True(Directory.Exists(Path.Combine(controller.Path, "artifacts", "earlier")));
        var stream = await CaptureAsync(AnvilCmd("transmit", controller.Path, "-p", "ok.yml", "-i", "t2"));
        var names = ZipNames(stream);
        Assert.Contains("project/ok.yml", names);
        Assert.Contains("inventory/hosts", names);
        Assert.DoesNotContain(names, n => n.StartsWith("artifacts", StringComparison.Ordinal));
        var refStream = await CaptureAsync(RunnerCmd("transmit", controller.Path, "-p", "ok.yml", "-i", "t2"));
        Assert.Contains(ZipNames(refStream), n => n.StartsWith("artifacts/earlier/", StringComparison.Ordinal));
        Assert.True(stream.Length < refStream.Length);

        using var worker = new TempDir();
        var (rc, output, _) = await FeedAsync(RunnerCmd("worker", "--private-data-dir", worker.Path), stream);
        Assert.Equal(0, rc);
        Assert.Contains("{\"status\": \"successful\", \"runner_ident\": \"t2\"}", Encoding.UTF8.GetString(output));
    }

    [Fact]
    public async Task CutStream_KeepsTheEventsReceived_StatusErrorExplains_ExitNonZero()
    {
        using var controller = Fixtures.Copy(Fixtures.FixturePdd);
        using var results = new TempDir();
        var full = await WorkerStreamAsync(controller.Path, "loop.yml", "cut1");
        // Cut in the middle of the eighth line (an event): seven whole lines arrive, among them five events.
        var lineStarts = LineStarts(full);
        var cut = full[..(lineStarts[7] + 20)];
        var completeEvents = CountEvents(full[..lineStarts[7]]);
        Assert.True(completeEvents >= 4);

        var (rc, _, _) = await FeedAsync(AnvilCmd("process", results.Path, "-i", "cut1", "-q"), cut);
        Assert.Equal(255, rc);
        var dir = Path.Combine(results.Path, "artifacts", "cut1");
        Assert.Equal("error", File.ReadAllText(Path.Combine(dir, "status")));
        Assert.Equal("255", File.ReadAllText(Path.Combine(dir, "rc")));
        var why = File.ReadAllText(Path.Combine(dir, "job_explanation"));
        Assert.Contains("cut in line 8", why);
        Assert.Equal(completeEvents, Fixtures.ReadEvents(dir).Count);
        Fixtures.AssertStdoutMatchesEvents(dir);

        // Cut between lines: the stream just stops, without its eof line.
        using var results2 = new TempDir();
        var (rc2, _, _) = await FeedAsync(AnvilCmd("process", results2.Path, "-i", "cut2", "-q"), full[..lineStarts[7]]);
        Assert.Equal(255, rc2);
        var why2 = File.ReadAllText(Path.Combine(results2.Path, "artifacts", "cut2", "job_explanation"));
        Assert.Contains("without its eof line", why2);
        Assert.Equal(completeEvents, Fixtures.ReadEvents(Path.Combine(results2.Path, "artifacts", "cut2")).Count);
    }

    [Fact]
    public async Task KilledWorker_ProcessEndsWithErrorAndTheEventsSoFar()
    {
        using var controller = Fixtures.Copy(Fixtures.FixturePdd);
        using var results = new TempDir();
        var job = await CaptureAsync(AnvilCmd("transmit", controller.Path, "-p", "slow_steps.yml", "-i", "kill1"));
        var worker = Process.Start(new ProcessStartInfo(Anvil, ["worker"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var processor = Process.Start(new ProcessStartInfo(Anvil, ["process", results.Path, "-i", "kill1", "-q"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        _ = processor.StandardOutput.ReadToEndAsync();
        var processorErr = processor.StandardError.ReadToEndAsync();
        _ = worker.StandardError.ReadToEndAsync();
        await worker.StandardInput.BaseStream.WriteAsync(job);
        worker.StandardInput.Close();
        // Relay the worker's output line by line; kill it once the third task has started.
        var seen = 0;
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        while (await worker.StandardOutput.ReadLineAsync(cts.Token) is { } line)
        {
            await processor.StandardInput.WriteLineAsync(line);
            await processor.StandardInput.FlushAsync();
            if (line.Contains("\"playbook_on_task_start\"", StringComparison.Ordinal) && ++seen == 3)
            {
                worker.Kill(entireProcessTree: true);
                break;
            }
        }
        processor.StandardInput.Close();
        await processor.WaitForExitAsync(cts.Token);
        await worker.WaitForExitAsync(cts.Token);
        Assert.Equal(255, processor.ExitCode);
        var dir = Path.Combine(results.Path, "artifacts", "kill1");
        Assert.Equal("error", File.ReadAllText(Path.Combine(dir, "status")));
        Assert.Contains("without its eof line", File.ReadAllText(Path.Combine(dir, "job_explanation")));
        Assert.Contains("without its eof line", await processorErr);
        var events = Fixtures.ReadEvents(dir);
        Assert.Equal(3, events.Count(e => e.GetProperty("event").GetString() == "playbook_on_task_start"));
    }

    [Fact]
    public async Task GarbledLine_IsNamedByNumber_EventsAroundItKept()
    {
        using var controller = Fixtures.Copy(Fixtures.FixturePdd);
        using var results = new TempDir();
        var full = await WorkerStreamAsync(controller.Path, "ok.yml", "garble1");
        var text = Encoding.UTF8.GetString(full);
        var lines = text.Split('\n').ToList();
        lines.Insert(4, "this is not json");
        var garbled = Encoding.UTF8.GetBytes(string.Join('\n', lines));
        var (rc, _, error) = await FeedAsync(AnvilCmd("process", results.Path, "-i", "garble1", "-q"), garbled);
        Assert.Equal(255, rc);
        var dir = Path.Combine(results.Path, "artifacts", "garble1");
        Assert.Equal("error", File.ReadAllText(Path.Combine(dir, "status")));
        var why = File.ReadAllText(Path.Combine(dir, "job_explanation"));
        Assert.Contains("line 5", why);
        Assert.Contains("this is not json", why);
        Assert.Contains("line 5", error); // and one line on stderr
        Assert.Equal(CountEvents(full), Fixtures.ReadEvents(dir).Count);
    }

    [Fact]
    public async Task EscapingZip_IsRefusedWithOneLine()
    {
        using var outside = new TempDir();
        using var worker = new TempDir();
        var victim = Path.Combine(outside.Path, "pwned");
        var relative = Path.GetRelativePath(worker.Path, victim);
        Assert.StartsWith("..", relative);
        var zip = new MemoryStream();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
        {
            var e = archive.CreateEntry(relative);
            e.ExternalAttributes = 0x81A4 << 16;
            using var w = new StreamWriter(e.Open());
            w.Write("escaped");
        }
        var stream = new MemoryStream();
        stream.Write("{\"kwargs\": {\"playbook\": \"ok.yml\"}}\n"u8);
        stream.Write(Encoding.ASCII.GetBytes($"{{\"zipfile\": {zip.Length}}}\n{Convert.ToBase64String(zip.ToArray())}{{\"eof\": true}}\n"));
        var (rc, output, _) = await FeedAsync(AnvilCmd("worker", "--private-data-dir", worker.Path), stream.ToArray());
        Assert.NotEqual(0, rc);
        var lines = Encoding.UTF8.GetString(output).TrimEnd('\n').Split('\n');
        Assert.Equal(2, lines.Length);
        var error = JsonDocument.Parse(lines[0]).RootElement;
        Assert.Equal("error", error.GetProperty("status").GetString());
        Assert.Contains("escapes the directory", error.GetProperty("job_explanation").GetString());
        Assert.Equal("{\"eof\": true}", lines[1]);
        Assert.False(File.Exists(victim));
    }

    [Fact]
    public async Task WorkerDiskFull_ErrorStatusInTheStream_NoStackTrace()
    {
        using var controller = Fixtures.Copy(Fixtures.FixturePdd);
        controller.File("project/fill.yml", """
            - hosts: localhost
              gather_facts: false
              tasks:
                - name: big
                  ansible.builtin.debug:
                    msg: "{{ '0123456789abcdef' * 12800 }}"
                - name: long
                  ansible.builtin.command: sleep 300

            """);
        var job = await CaptureAsync(AnvilCmd("transmit", controller.Path, "-p", "fill.yml", "-i", "full1"));
        using var node = new TempDir();
        // A real full disk on the node: the job unpacks (a few KiB) but its artifacts cannot be kept.
        var (mounted, mountOut) = await Processes.RunAsync("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", node.Path);
        Assert.True(mounted == 0, $"mounting a tmpfs needs root: {mountOut}");
        try
        {
            var (rc, output, error) = await FeedAsync(AnvilCmd("worker", "--private-data-dir", node.Path), job);
            Assert.NotEqual(0, rc);
            Assert.DoesNotContain("Unhandled exception", error);
            Assert.DoesNotContain("   at ", error);
            var lines = Encoding.UTF8.GetString(output).TrimEnd('\n').Split('\n');
            Assert.Equal("{\"eof\": true}", lines[^1]);
            var status = JsonDocument.Parse(lines[^2]).RootElement;
            Assert.Equal("error", status.GetProperty("status").GetString());
            Assert.Contains("cannot write the run's artifacts: No space left on device", status.GetProperty("job_explanation").GetString());
        }
        finally
        {
            if ((await Processes.RunAsync("umount", node.Path)).Rc != 0)
            {
                await Processes.RunAsync("umount", "-l", node.Path);
            }
        }
    }

    [Fact]
    public async Task UnknownKwargsKey_OneClearErrorLine_ProcessReportsIt()
    {
        var sample = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Samples, "runner", "streams", "transmit.stream"));
        var bad = sample.Replace("\"suppress_env_files\": false}", "\"suppress_env_files\": false, \"bogus_key\": 1}", StringComparison.Ordinal);
        Assert.NotEqual(sample, bad);
        var (rc, output, _) = await FeedAsync(AnvilCmd("worker"), Encoding.UTF8.GetBytes(bad));
        Assert.NotEqual(0, rc);
        var lines = Encoding.UTF8.GetString(output).TrimEnd('\n').Split('\n');
        Assert.Equal(2, lines.Length);
        var error = JsonDocument.Parse(lines[0]).RootElement;
        Assert.Equal("error", error.GetProperty("status").GetString());
        Assert.Contains("'bogus_key'", error.GetProperty("job_explanation").GetString());

        using var results = new TempDir();
        var (prc, _, _) = await FeedAsync(AnvilCmd("process", results.Path, "-i", "bad1", "-q"), output);
        Assert.Equal(255, prc);
        var dir = Path.Combine(results.Path, "artifacts", "bad1");
        Assert.Equal("error", File.ReadAllText(Path.Combine(dir, "status")));
        Assert.Contains("bogus_key", File.ReadAllText(Path.Combine(dir, "job_explanation")));
    }

    [Fact]
    public async Task WorkerInfo_HasAnsibleRunnersKeys()
    {
        var (rc, output) = await Processes.RunAsync(Anvil, "worker", "--worker-info");
        Assert.Equal(0, rc);
        foreach (var key in new[] { "cpu_count: ", "errors: []", "mem_in_bytes: ", "runner_version: 2.3.1", "uuid: " })
        {
            Assert.Contains(key, output);
        }
        var (_, reference) = await Processes.RunAsync("ansible-runner", "worker", "--worker-info");
        // Same persisted node id as ansible-runner's (~/.ansible_runner_uuid).
        Assert.Equal(reference.Split("uuid: ")[1].Split('}')[0], output.Split("uuid: ")[1].Split('}')[0]);
    }

    [Fact]
    public async Task WorkerCleanup_RemovesOldDirectories_KeepsRecentAndExcluded()
    {
        using var root = new TempDir();
        var old = Directory.CreateDirectory(Path.Combine(root.Path, "job-old")).FullName;
        var kept = Directory.CreateDirectory(Path.Combine(root.Path, "job-keepme")).FullName;
        var recent = Directory.CreateDirectory(Path.Combine(root.Path, "job-recent")).FullName;
        foreach (var d in new[] { old, kept })
        {
            Directory.SetLastWriteTime(d, DateTime.Now.AddHours(-3));
        }
        var (rc, output) = await Processes.RunAsync(Anvil, "worker", "cleanup", "--file-pattern", Path.Combine(root.Path, "job-*"),
            "--exclude-strings", "keepme", "--grace-period", "60");
        Assert.Equal(0, rc);
        Assert.Contains("Removed 1 private data dir(s)", output);
        Assert.Contains("(changed: True)", output);
        Assert.False(Directory.Exists(old));
        Assert.True(Directory.Exists(kept));
        Assert.True(Directory.Exists(recent));
        var (rc2, output2) = await Processes.RunAsync(Anvil, "worker", "cleanup", "--file-pattern", "/tm*");
        Assert.Equal(1, rc2);
        Assert.Contains("system folders", output2);
    }

    private static void AssertSameEvents(string expectedDir, string actualDir)
    {
        var expected = Fixtures.ReadEvents(expectedDir);
        var actual = Fixtures.ReadEvents(actualDir);
        Assert.Equal(expected.Select(e => e.GetProperty("event").GetString()), actual.Select(e => e.GetProperty("event").GetString()));
        Assert.Equal(expected.Select(e => e.GetProperty("counter").GetInt64()), actual.Select(e => e.GetProperty("counter").GetInt64()));
        // uuids consistent: each file is named after its event, every parent is an event of the run.
        var files = Directory.GetFiles(Path.Combine(actualDir, "job_events"), "*.json").Select(Path.GetFileName).ToHashSet();
        var uuids = actual.Select(e => e.GetProperty("uuid").GetString()).ToHashSet();
        foreach (var e in actual)
        {
            Assert.Contains($"{e.GetProperty("counter").GetInt64()}-{e.GetProperty("uuid").GetString()}.json", files);
            if (e.TryGetProperty("parent_uuid", out var parent) && parent.GetString() is { Length: > 0 } p)
            {
                Assert.Contains(p, uuids);
            }
            Assert.Equal("job1", e.GetProperty("runner_ident").GetString());
        }
    }

    private static IEnumerable<string> Lines(string stdout) =>
        stdout.TrimEnd('\n').Split('\n').Select(l => l.TrimEnd('\r'));

    private static List<string> ZipNames(byte[] stream)
    {
        var reader = new Anvil.Runner.Streaming.StreamFrameReader(new MemoryStream(stream));
        reader.ReadLineAsync(default).AsTask().GetAwaiter().GetResult();
        var header = JsonDocument.Parse(reader.ReadLineAsync(default).AsTask().GetAwaiter().GetResult()!.Value).RootElement;
        var zip = new MemoryStream();
        reader.ReadBase64Async(header.GetProperty("zipfile").GetInt64(), zip, default).GetAwaiter().GetResult();
        zip.Position = 0;
        using var archive = new ZipArchive(zip);
        return archive.Entries.Select(e => e.FullName).ToList();
    }

    private static async Task<byte[]> WorkerStreamAsync(string pdd, string playbook, string ident)
    {
        var job = await CaptureAsync(AnvilCmd("transmit", pdd, "-p", playbook, "-i", ident));
        var (_, output, _) = await FeedAsync(AnvilCmd("worker"), job);
        Assert.EndsWith("{\"eof\": true}\n", Encoding.UTF8.GetString(output));
        return output;
    }

    private static List<int> LineStarts(byte[] data)
    {
        var starts = new List<int> { 0 };
        for (var i = 0; i < data.Length; i++)
        {
            if (data[i] == '\n')
            {
                starts.Add(i + 1);
            }
        }
        return starts;
    }

    private static int CountEvents(byte[] stream) =>
        Encoding.UTF8.GetString(stream).Split('\n').Count(l => l.StartsWith("{\"uuid\": ", StringComparison.Ordinal));

    private static Task<byte[]> CaptureAsync(string[] command) => FeedAsync(command, []).ContinueWith(t =>
    {
        Assert.True(t.Result.Rc == 0, $"{string.Join(' ', command)} failed with {t.Result.Rc}");
        return t.Result.Output;
    }, TaskScheduler.Default);

    /// <summary>Runs <paramref name="command"/> with <paramref name="input"/> on stdin; returns rc and stdout.</summary>
    private static async Task<(int Rc, byte[] Output, string Error)> FeedAsync(string[] command, byte[] input)
    {
        var psi = new ProcessStartInfo(command[0], command[1..])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var p = Process.Start(psi)!;
        var stdout = new MemoryStream();
        var copy = p.StandardOutput.BaseStream.CopyToAsync(stdout);
        var stderr = p.StandardError.ReadToEndAsync();
        await p.StandardInput.BaseStream.WriteAsync(input);
        p.StandardInput.Close();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await p.WaitForExitAsync(cts.Token);
        await copy;
        return (p.ExitCode, stdout.ToArray(), await stderr);
    }

    /// <summary>Runs three programs as a shell pipeline (real pipes); returns each one's exit code.</summary>
    private static async Task<int[]> PipeAsync(string[] a, string[] b, string[] c)
    {
        static string Quote(string[] cmd) => string.Join(' ', cmd.Select(x => "'" + x.Replace("'", "'\\''") + "'"));
        var script = $"{Quote(a)} | {Quote(b)} | {Quote(c)} >/dev/null; echo \"${{PIPESTATUS[*]}}\"";
        var psi = new ProcessStartInfo("bash", ["-c", script]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await p.WaitForExitAsync(cts.Token);
        var codes = (await stdout).Trim().Split(' ').Select(int.Parse).ToArray();
        Assert.True(codes.Length == 3, $"pipeline did not run: {await stderr}");
        return codes;
    }
}
