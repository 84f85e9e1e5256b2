using System.Diagnostics;
using System.Text.Json;
using Anvil.Yaml;

namespace Anvil.Yaml.Tests;

/// <summary>Anvil's reader against the real PyYAML (Debian's python3-yaml, which ansible-runner and ansible-galaxy
/// load with): for each tricky scalar, the same type and the same <c>str()</c>.</summary>
[Trait("Category", "Integration")]
public class PyYamlComparisonTests
{
    private static readonly string[] Tricky =
    [
        "0777", "0x10", "1_000", "1e5", "0b101", "1:30", "190:20:30", ".inf", "-.inf", "+.INF", ".NaN", "~", "null",
        "Null", "", "yes", "No", "on", "OFF", "y", "n", "True", "TRUE", "tRue", "1.0e+5", "1.0e5", "1e+5", "1.", "-.5",
        ".5", "+1", "-0", "0", "00", "08", "0o17", "0_", "1__0", "1:60", "1:30.5", "-1:30", "2024-01-01", "2024-1-1",
        "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10", "2001-12-14T21:59:43Z", "2001-12-14 21:59:43 +5",
        "2001-12-14 21:59:43.1234567", "Infinity", "NaN", "0x_1F", "-0b11", "+0x1f", "12345678901234567890",
        "1.5e-7", "1e16", "1.0e+16", "1.0e+15", "123456789.123456789", "0.1", "3.0", "0.0001", "0.00001", "1_0.5_0",
        "0.", "_1", "1,000", "0xG", "1.0.0", "v1", "+", ".", "0:0", "1:2:3.5", "0.1e-3", "-0.0",
    ];

    private static readonly string[] Tagged = ["!!str 0777", "!!int '0x10'", "!!float 1e5", "!!float '1'", "!!bool tRuE",
        "!!null x", "! 12", "! '12'", "! yes", "!!str", "'0777'", "\"yes\""];

    [Fact]
    public void PlainScalars_MatchPyYaml() => Compare(Tricky);

    [Fact]
    public void QuotedAndTaggedScalars_MatchPyYaml() => Compare(Tagged);

    [Fact]
    public void WhatPyYamlRefuses_AnvilRefuses()
    {
        foreach (var text in new[] { "=", "<<", "!!int 1e5", "!custom x", "2024-13-01" })
        {
            var python = PyYaml([text]);
            Assert.True(python[0].GetProperty("error").GetBoolean(), $"PyYAML read '{text}'");
            Assert.Throws<Yaml11Exception>(() => Yaml11Document.Load("k: " + text + "\n"));
        }
    }

    private static void Compare(string[] scalars)
    {
        var python = PyYaml(scalars);
        var map = Assert.IsType<Yaml11MappingNode>(Yaml11Document.Load(Document(scalars)));
        var mismatches = new List<string>();
        for (var i = 0; i < scalars.Length; i++)
        {
            var p = python[i];
            Assert.False(p.GetProperty("error").GetBoolean(), $"PyYAML refused '{scalars[i]}'");
            var ours = Assert.IsType<Yaml11ScalarNode>(map.Entries[i].Value).Scalar;
            var type = ours.Kind switch
            {
                Yaml11Kind.Null => "NoneType",
                Yaml11Kind.Bool => "bool",
                Yaml11Kind.Int => "int",
                Yaml11Kind.Float => "float",
                Yaml11Kind.Timestamp => ours.PythonStr.Contains(' ', StringComparison.Ordinal) ? "datetime" : "date",
                _ => "str",
            };
            var (pType, pStr) = (p.GetProperty("type").GetString(), p.GetProperty("str").GetString());
            if (type != pType || ours.PythonStr != pStr)
            {
                mismatches.Add($"'{scalars[i]}': PyYAML {pType} {pStr}, Anvil {type} {ours.PythonStr}");
            }
        }
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }

    private static string Document(IEnumerable<string> scalars) =>
        string.Concat(scalars.Select((s, i) => $"k{i}: {s}\n"));

    private const string Script = """
        import json, sys, yaml
        out = []
        for line in sys.stdin.read().split("\n")[:-1]:
            try:
                v = yaml.safe_load(line)["k"]
                out.append({"error": False, "type": type(v).__name__, "str": str(v)})
            except Exception as e:
                out.append({"error": True, "type": type(e).__name__, "str": str(e)})
        print(json.dumps(out))
        """;

    private static JsonElement[] PyYaml(IEnumerable<string> scalars)
    {
        var psi = new ProcessStartInfo("/usr/bin/python3", ["-c", Script])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        Tools.Require("/usr/bin/python3", "python3-yaml");
        var p = Process.Start(psi)!;
        using (p)
        {
            p.StandardInput.Write(string.Concat(scalars.Select(s => "k: " + s + "\n")));
            p.StandardInput.Close();
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, "python3 with PyYAML failed (apt-get install python3-yaml): " + stderr);
            return JsonSerializer.Deserialize<JsonElement[]>(stdout.Result)!;
        }
    }
}
