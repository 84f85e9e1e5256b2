using System.Diagnostics;

namespace Anvil.Integration.Tests;

/// <summary>What a user can meet under the artifact directory (a full disk, no permission, a file where the
/// directory must be) ends <c>anvil run</c> with one line naming the path and the cause, a non-zero exit, Ansible
/// stopped, and <c>status</c> written where the disk allows; never a stack trace.</summary>
[Trait("Category", "Integration")]
public class ArtifactFailureTests
{
    // Enough output to fill a 64 KiB file system at once, then a long task that only a stopped run skips.
    private const string FillThenSleep = """
        - hosts: localhost
          gather_facts: false
          tasks:
            - name: big
              ansible.builtin.debug:
                msg: "{{ '0123456789abcdef' * 12800 }}"
            - name: long
              ansible.builtin.command: sleep 300

        """;

    [Fact]
    public async Task DiskFull_OneLine_AnsibleStopped_StatusWritten()
    {
        using var pdd = Fixtures.Copy(Fixtures.FixturePdd);
        pdd.File("project/fill.yml", FillThenSleep);
        var artifacts = Path.Combine(pdd.Path, "small");
        Directory.CreateDirectory(artifacts);
        // A real full disk: a 64 KiB tmpfs (the tests run as root, as CI does).
        var mount = await Tool("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", artifacts);
        Assert.True(mount.Code == 0, $"mounting a tmpfs needs root: {mount.Err}");
        try
        {
            var sw = Stopwatch.StartNew();
            var (code, _, err) = await Anvil("run", pdd.Path, "-p", "fill.yml", "--artifact-dir", artifacts, "-i", "full", "--no-record", "-q");
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(120), $"the run went on after the disk was full ({sw.Elapsed})");
            Assert.NotEqual(0, code);
            var line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Matches($@"^anvil: error: {System.Text.RegularExpressions.Regex.Escape(Path.Combine(artifacts, "full"))}/\S+: cannot write the run's artifacts: No space left on device$", line);
            Assert.Empty(AnsibleProcessesOf(pdd.Path));
            Assert.Equal("failed", File.ReadAllText(Path.Combine(artifacts, "full", "status")));
            Assert.False(File.Exists(Path.Combine(artifacts, "full", ".status-reserve")));
        }
        finally
        {
            var umount = await Tool("umount", artifacts);
            if (umount.Code != 0)
            {
                await Tool("umount", "-l", artifacts);
            }
        }
    }

    [Fact]
    public async Task ArtifactDirIsAFile_OneLine_NothingRuns()
    {
        using var pdd = Fixtures.Copy(Fixtures.FixturePdd);
        var file = pdd.File("not-a-dir", "x");
        var (code, _, err) = await Anvil("run", pdd.Path, "-p", "ok.yml", "--artifact-dir", file, "-i", "f", "--no-record", "-q");
        Assert.Equal(1, code);
        Assert.Equal($"anvil: error: {file}: cannot write the run's artifacts: it is a file, not a directory", err.Trim());
        Assert.Equal("x", File.ReadAllText(file));
    }

    [Fact]
    public async Task PermissionDenied_OneLine_NothingRuns()
    {
        // Root passes every permission check, so the run goes as 'nobody' (setpriv, util-linux) into a directory
        // only root may write; a read-only bind mount would test EROFS instead of a permission.
        using var pdd = Fixtures.Copy(Fixtures.FixturePdd);
        var denied = Path.Combine(pdd.Path, "denied");
        Directory.CreateDirectory(denied);
        File.SetUnixFileMode(denied, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
            UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        var (code, _, err) = await Tool("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
            Path.Combine(AppContext.BaseDirectory, "anvil"), "run", pdd.Path, "-p", "ok.yml", "--artifact-dir", denied,
            "-i", "p", "--no-record", "-q");
        Assert.Equal(1, code);
        Assert.Equal($"anvil: error: {Path.Combine(denied, "p")}: cannot write the run's artifacts: Permission denied", err.Trim());
        Assert.Empty(Directory.EnumerateFileSystemEntries(denied));
    }

    private static List<int> AnsibleProcessesOf(string pdd)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (cmdline.Contains("ansible", StringComparison.Ordinal) && cmdline.Contains(pdd, StringComparison.Ordinal))
                {
                    found.Add(pid);
                }
            }
            catch (IOException)
            {
            }
        }
        return found;
    }

    private static Task<(int Code, string Out, string Err)> Anvil(params string[] args) =>
        Tool(Path.Combine(AppContext.BaseDirectory, "anvil"), args);

    private static async Task<(int Code, string Out, string Err)> Tool(string program, params string[] args)
    {
        var psi = new ProcessStartInfo(program, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await p.WaitForExitAsync(cts.Token);
        return (p.ExitCode, await stdout, await stderr);
    }
}
