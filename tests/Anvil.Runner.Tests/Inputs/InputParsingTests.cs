using System.Text.Json;
using System.Diagnostics;
using Anvil.Runner.Inputs;

namespace Anvil.Runner.Tests.Inputs;

public class ShellWordsTests
{
    [Theory]
    [InlineData("-e foo=bar --forks 3", new[] { "-e", "foo=bar", "--forks", "3" })]
    [InlineData("  -e 'a b'  \"c \\\" d\" e\\ f ", new[] { "-e", "a b", "c \" d", "e f" })]
    [InlineData("x'y'\"z\"", new[] { "xyz" })]
    [InlineData("''", new[] { "" })]
    [InlineData("", new string[0])]
    public void Split_FollowsPythonShlex(string input, string[] expected) => Assert.Equal(expected, ShellWords.Split(input));

    [Theory]
    [InlineData("-e 'open")]
    [InlineData("-e \"open")]
    public void Split_UnclosedQuote_Throws(string input) =>
        Assert.Equal("No closing quotation", Assert.Throws<FormatException>(() => ShellWords.Split(input)).Message);
}

public class MappingFileTests
{
    [Fact]
    public void Parse_Json_Works()
    {
        var map = MappingFile.Parse("{\"a\": 1, \"b\": [true, null]}", "f");
        Assert.Equal(1, (int)map["a"]!);
        Assert.Equal("[true,null]", map["b"]!.ToJsonString());
    }

    [Fact]
    public void Parse_Yaml_ResolvesPlainScalarTypesLikePyYaml()
    {
        var map = MappingFile.Parse("a: 1\nb: yes\nc: '1'\nd: ~\ne: 1.5\nf: text\n", "f");
        Assert.Equal("{\"a\":1,\"b\":true,\"c\":\"1\",\"d\":null,\"e\":1.5,\"f\":\"text\"}", map.ToJsonString());
    }

    [Fact]
    public void Parse_BadYaml_NamesTheFileAndLine()
    {
        var e = Assert.Throws<RunnerInputException>(() => MappingFile.Parse("a: 1\nb: [1, 2\nc: 3\n", "/pdd/env/extravars"));
        Assert.Matches(@"^/pdd/env/extravars:[23](:\d+)?: not valid YAML or JSON: ", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [InlineData("- a\n- b\n", "a list")]
    [InlineData("just text", "a single value")]
    public void Parse_NotAMapping_SaysWhatItFound(string text, string found)
    {
        var e = Assert.Throws<RunnerInputException>(() => MappingFile.Parse(text, "env/settings"));
        Assert.Contains("env/settings", e.Message);
        Assert.Contains(found, e.Message);
    }

    [Fact]
    public void Parse_Yaml11Numbers_AreReadAsPyYamlReadsThem()
    {
        var map = MappingFile.Parse("octal: 0777\nhex: 0x10\nsep: 1_000\nexp: 1e5\nbin: 0b101\nsexa: 1:30\nflt: 1.0e+5\ninf: .inf\nbig: 12345678901234567890\nday: 2024-01-01\n", "f");
        Assert.Equal(["511", "16", "1000", "1e5", "5", "90", "100000.0", "inf", "12345678901234567890", "2024-01-01"],
            map.Select(kv => MappingFile.AsString(kv.Value)));
        Assert.Equal(JsonValueKind.String, map["exp"]!.GetValueKind());
    }

    [Fact]
    public void Parse_Keys_AreStrOfTheKey()
    {
        var map = MappingFile.Parse("yes: a\n0x10: b\n~: c\n", "f");
        Assert.Equal(["True", "16", "None"], map.Select(kv => kv.Key));
    }

    [Fact]
    public void Parse_DuplicateKeys_LastWins_AsPython()
    {
        Assert.Equal("2", MappingFile.AsString(MappingFile.Parse("a: 1\na: 2\n", "f")["a"]));
        Assert.Equal("2", MappingFile.AsString(MappingFile.Parse("{\"a\": 1, \"a\": 2}", "f")["a"]));
    }

    [Fact]
    public void Parse_ValueThePyYamlSafeLoaderRefuses_NamesTheFileAndLine()
    {
        var e = Assert.Throws<RunnerInputException>(() => MappingFile.Parse("a: 1\nb: !vault x\n", "/pdd/env/envvars"));
        Assert.StartsWith("/pdd/env/envvars:2:4: not valid YAML or JSON: ", e.Message);
    }

    [Fact]
    public void AsString_ListsAndDictsAndJsonNumbers_AreStrOfThePythonValue()
    {
        var map = MappingFile.Parse("{\"l\": [1, \"x\", null, true, 1.0], \"d\": {\"k\": \"it's\"}, \"f\": 1e5, \"i\": -0}", "f");
        Assert.Equal(["[1, 'x', None, True, 1.0]", "{'k': \"it's\"}", "100000.0", "0"], map.Select(kv => MappingFile.AsString(kv.Value)));
        var yaml = MappingFile.Parse("l: [0x10, 1.5, yes, ~, 'a']\n", "f");
        Assert.Equal("[16, 1.5, True, None, 'a']", MappingFile.AsString(yaml["l"]));
    }

    [Fact]
    public void AsString_StringifiesLikeAnsibleRunner()
    {
        var map = MappingFile.Parse("a: true\nb: 3\nc: x\n", "f");
        Assert.Equal(["True", "3", "x"], map.Select(kv => MappingFile.AsString(kv.Value)));
    }
}

public class RunnerSettingsTests
{
    [Fact]
    public void FromMapping_ReadsKnownSettings()
    {
        var s = RunnerSettings.FromMapping(MappingFile.Parse("idle_timeout: 5\njob_timeout: 1.5\nsuppress_output_file: true\nfact_cache: fc\npexpect_timeout: 10\n", "f"), "f");
        Assert.Equal(TimeSpan.FromSeconds(5), s.IdleTimeout);
        Assert.Equal(TimeSpan.FromSeconds(1.5), s.JobTimeout);
        Assert.True(s.SuppressOutputFile);
        Assert.Equal("fc", s.FactCache);
    }

    [Fact]
    public void FromMapping_Yaml11Numbers_AreSeconds()
    {
        var s = RunnerSettings.FromMapping(MappingFile.Parse("idle_timeout: 0x10\njob_timeout: 1:30\n", "f"), "f");
        Assert.Equal(TimeSpan.FromSeconds(16), s.IdleTimeout);
        Assert.Equal(TimeSpan.FromSeconds(90), s.JobTimeout);
    }

    [Fact]
    public void FromMapping_Infinity_IsRefusedNamingTheSetting()
    {
        var e = Assert.Throws<RunnerInputException>(() =>
            RunnerSettings.FromMapping(MappingFile.Parse("job_timeout: .inf\n", "f"), "/x/env/settings"));
        Assert.Contains("job_timeout", e.Message);
    }

    [Fact]
    public void FromMapping_WrongType_NamesTheSetting()
    {
        var e = Assert.Throws<RunnerInputException>(() =>
            RunnerSettings.FromMapping(MappingFile.Parse("job_timeout: soon\n", "f"), "/x/env/settings"));
        Assert.Contains("/x/env/settings", e.Message);
        Assert.Contains("job_timeout", e.Message);
    }
}

public class PrivateDataDirTests
{
    [Fact]
    public void Load_ReadsEnvFiles()
    {
        using var tmp = new TempDir();
        tmp.File("env/envvars", "FOO: bar\nN: 3\n");
        tmp.File("env/extravars", "{\"x\": 1}");
        tmp.File("env/cmdline", "--forks 2");
        tmp.File("env/settings", "job_timeout: 9\n");
        var pdd = PrivateDataDir.Load(tmp.Path);
        Assert.Equal("bar", pdd.EnvVars["FOO"]);
        Assert.Equal("3", pdd.EnvVars["N"]);
        Assert.Equal(Path.Combine(tmp.Path, "env", "extravars"), pdd.ExtraVarsFile);
        Assert.Equal("--forks 2", pdd.Cmdline);
        Assert.Equal(9L, (long)pdd.Settings["job_timeout"]!);
    }

    [Fact]
    public async Task Load_NamedPipeExtravars_IsReadOnceAndKept()
    {
        using var tmp = new TempDir();
        Directory.CreateDirectory(Path.Combine(tmp.Path, "env"));
        var fifo = Path.Combine(tmp.Path, "env", "extravars");
        using (var mk = Process.Start("mkfifo", [fifo])!)
        {
            await mk.WaitForExitAsync();
            Assert.Equal(0, mk.ExitCode);
        }
        var writer = Task.Run(() => File.WriteAllText(fifo, "piped: value\n"));
        var pdd = PrivateDataDir.Load(tmp.Path);
        await writer.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Null(pdd.ExtraVarsFile);
        Assert.Equal("piped: value\n", pdd.ExtraVarsFromPipe);
    }

    [Fact]
    public void Load_MalformedExtravars_NamesFileAndLine()
    {
        using var tmp = new TempDir();
        tmp.File("env/extravars", "ok: 1\nbad: [unclosed\n");
        var e = Assert.Throws<RunnerInputException>(() => PrivateDataDir.Load(tmp.Path));
        Assert.StartsWith(Path.Combine(tmp.Path, "env", "extravars") + ":", e.Message);
    }

    [Fact]
    public void Load_MissingDirectory_SaysSo()
    {
        var e = Assert.Throws<RunnerInputException>(() => PrivateDataDir.Load("/nonexistent/pdd"));
        Assert.Equal("/nonexistent/pdd: private data dir not found", e.Message);
    }
}
