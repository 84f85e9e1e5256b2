using System.Text.Json;
using Anvil.Cli;

namespace Anvil.Cli.Tests;

/// <summary><c>anvil collection …</c>: messages, exit codes, output formats (the library is tested in Anvil.Galaxy.Tests).</summary>
public class CollectionCommandTests
{
    private static async Task<(int Code, string Out, string Err)> Anvil(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await AnvilCommandLine.InvokeAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task InitBuildInstallListVerify_RoundTrip()
    {
        using var tmp = new TempDir();
        var (code, output, error) = await Anvil("collection", "init", "acme.demo", "--init-path", tmp.Path);
        Assert.Equal(0, code);
        Assert.Contains("- Collection acme.demo was created successfully", output);
        var src = Path.Combine(tmp.Path, "acme", "demo");
        tmp.File("acme/demo/plugins/modules/x.py", "print(1)\n");
        (code, output, error) = await Anvil("collection", "build", src, "--output-path", Path.Combine(tmp.Path, "out"));
        Assert.True(code == 0, error);
        var tarball = Path.Combine(tmp.Path, "out", "acme-demo-1.0.0.tar.gz");
        Assert.Equal($"Created collection for acme.demo at {tarball}", output.Trim());
        (code, output, error) = await Anvil("collection", "build", src, "--output-path", Path.Combine(tmp.Path, "out"));
        Assert.Equal(1, code);
        Assert.Contains("already exists. You can use --force", error);

        var target = Path.Combine(tmp.Path, "cols");
        (code, output, error) = await Anvil("collection", "install", tarball, "-p", target);
        Assert.True(code == 0, error);
        Assert.Contains($"Installing 'acme.demo:1.0.0' to '{target}/ansible_collections/acme/demo'", output);
        Assert.Contains("acme.demo:1.0.0 was installed successfully", output);
        Assert.Contains("is not part of the configured Ansible collections paths", error);
        (code, output, _) = await Anvil("collection", "install", tarball, "-p", target);
        Assert.Equal(0, code);
        Assert.Contains("Nothing to do. All requested collections are already installed.", output);

        (code, output, _) = await Anvil("collection", "list", "-p", target, "--format", "json");
        Assert.Equal(0, code);
        var json = JsonDocument.Parse(output).RootElement;
        Assert.Equal("1.0.0", json.GetProperty($"{target}/ansible_collections").GetProperty("acme.demo").GetProperty("version").GetString());
        (code, output, _) = await Anvil("collection", "list", "acme.demo", "-p", target);
        Assert.Equal(0, code);
        Assert.Contains($"# {target}/ansible_collections\nCollection Version\n---------- -------\nacme.demo  1.0.0  \n", output);

        (code, output, _) = await Anvil("collection", "verify", "acme.demo", "-p", target, "--offline");
        Assert.Equal(0, code);
        Assert.Contains("Successfully verified that checksums for 'acme.demo:1.0.0' are internally consistent with its manifest.", output);
        File.AppendAllText(Path.Combine(target, "ansible_collections", "acme", "demo", "plugins", "modules", "x.py"), "# changed\n");
        File.WriteAllText(Path.Combine(target, "ansible_collections", "acme", "demo", "extra.txt"), "added\n");
        (code, output, _) = await Anvil("collection", "verify", "acme.demo", "-p", target, "--offline", "-v");
        Assert.Equal(1, code);
        Assert.Contains("Collection acme.demo contains modified content in the following files:\n    plugins/modules/x.py\n    Expected: ", output);
        Assert.Contains("    extra.txt\n    Expected: the file does not exist\n    Found: the file exists\n", output);
    }

    [Fact]
    public async Task BadGalaxyYml_OneLinePerProblem_NamingFileLineAndField_ExitOne()
    {
        using var tmp = new TempDir();
        var yml = tmp.File("src/galaxy.yml", "namespace: acme\nname: demo\nversion: 1.0\nreadme: README.md\nauthors: [x]\nlicense: [NOPE]\nrepository: https://x\n");
        tmp.File("src/README.md", "x");
        var (code, output, error) = await Anvil("collection", "build", Path.Combine(tmp.Path, "src"), "--output-path", tmp.Path);
        Assert.Equal(1, code);
        Assert.Equal("", output);
        var lines = error.Trim().Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.Equal($"anvil: error: {yml}:3: version: 1.0 is read as a number, not a version; write a semantic version such as '1.0.0'", lines[0]);
        Assert.Equal($"anvil: error: {yml}:6: license[0]: 'NOPE' is not an SPDX license identifier", lines[1]);
        Assert.Empty(Directory.EnumerateFiles(tmp.Path, "*.tar.gz"));
    }

    [Fact]
    public async Task BadRequests_AreOneLine_AndExitOne()
    {
        using var tmp = new TempDir();
        var (code, _, error) = await Anvil("collection", "install", "-p", tmp.Path);
        Assert.Equal((1, "anvil: error: You must specify a collection name or a requirements file."), (code, error.Trim()));
        (code, _, error) = await Anvil("collection", "install", "not-a-name", "-p", tmp.Path);
        Assert.Equal(1, code);
        Assert.StartsWith("anvil: error: the command line: 'not-a-name' is neither a collection name", error.Trim());
        (code, _, error) = await Anvil("collection", "install", "acme.x:>= 1.0", "-p", tmp.Path, "--offline");
        Assert.Equal(1, code);
        Assert.Contains("is not a version requirement", error);
        (code, _, error) = await Anvil("collection", "install", "acme.x", "-p", tmp.Path, "--offline");
        Assert.Equal(1, code);
        Assert.Contains("anvil: error: Failed to resolve the requested dependencies map. Could not satisfy the following requirements:\n* acme.x:* (direct request)", error);
        (code, _, error) = await Anvil("collection", "install", "acme.x", "-p", tmp.Path, "--no-deps", "--force-with-deps");
        Assert.Equal((1, "anvil: error: --no-deps and --force-with-deps are mutually exclusive"), (code, error.Trim()));
        (code, _, error) = await Anvil("collection", "verify", "acme.none", "-p", tmp.Path, "--offline");
        Assert.Equal(1, code);
        Assert.Contains("anvil: error: Collection acme.none is not installed in any of the collection paths.", error);
        (code, _, error) = await Anvil("collection", "init", "bad-name", "--init-path", tmp.Path);
        Assert.Equal(1, code);
        Assert.StartsWith("anvil: error: Invalid collection name 'bad-name'", error.Trim());
    }

    [Fact]
    public async Task UnknownOption_ExitsTwo()
    {
        var (code, _, error) = await Anvil("collection", "build", "--frobnicate");
        Assert.Equal(2, code);
        Assert.Contains("--frobnicate", error);
    }

    [Fact]
    public async Task InstallHelp_GroupsTheOptionsAsAnsibleGalaxysAre()
    {
        var (code, output, _) = await Anvil("collection", "install", "--help");
        Assert.Equal(0, code);
        foreach (var o in new[] { "What to install:", "-r, --requirements-file FILE", "-p, --collections-path PATH", "-n, --no-deps", "--pre",
                     "-U, --upgrade", "-f, --force", "--force-with-deps", "--offline", "Servers:", "-s, --server SERVER", "--token, --api-key TOKEN",
                     "-c, --ignore-certs", "--timeout SECONDS" })
        {
            Assert.Contains(o, output);
        }
    }

    [Fact]
    public async Task Download_WritesARequirementsFileForAnOfflineInstall()
    {
        using var tmp = new TempDir();
        await Anvil("collection", "init", "acme.dl", "--init-path", tmp.Path);
        var (code, output, error) = await Anvil("collection", "download", Path.Combine(tmp.Path, "acme", "dl"), "-p", Path.Combine(tmp.Path, "dl"));
        Assert.True(code == 0, error);
        Assert.Equal("collections:\n- name: acme-dl-1.0.0.tar.gz\n  version: 1.0.0\n", File.ReadAllText(Path.Combine(tmp.Path, "dl", "requirements.yml")));
        Assert.Contains("anvil collection install -r", output);
        (code, output, error) = await Anvil("collection", "install", "-r", Path.Combine(tmp.Path, "dl", "requirements.yml"), "--offline", "-p", Path.Combine(tmp.Path, "c"));
        Assert.True(code == 0, error);
        Assert.Contains("acme.dl:1.0.0 was installed successfully", output);
    }
}
