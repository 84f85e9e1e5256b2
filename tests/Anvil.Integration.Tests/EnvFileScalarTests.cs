using System.Text.Json;

namespace Anvil.Integration.Tests;

/// <summary>env/envvars and env/extravars with YAML 1.1 scalars (octal, hex, underscores, sexagesimal, yes/no …)
/// run by the real ansible-runner and by Anvil: the task must see the same values under both.</summary>
[Trait("Category", "Integration")]
public class EnvFileScalarTests
{
    private static readonly string[] EnvNames =
    [
        "V_OCTAL", "V_HEX", "V_SEP", "V_EXP", "V_BOOL", "V_NULL", "V_FLOAT", "V_DATE", "V_LIST", "V_QUOTED", "V_SEXA",
        "V_INF", "V_DICT", "V_TIME", "V_BIG", "J_FLOAT", "J_EXP", "J_TRUE", "J_NULL", "J_LIST",
    ];

    private static readonly string[] ExtraNames = ["x_octal", "x_hex", "x_sep", "x_exp", "x_bool", "x_sexa", "x_float", "x_quoted"];

    private const string YamlEnvvars = """
        V_OCTAL: 0777
        V_HEX: 0x10
        V_SEP: 1_000
        V_EXP: 1e5
        V_BOOL: yes
        V_NULL: ~
        V_FLOAT: 1.0e+5
        V_DATE: 2024-01-01
        V_LIST: [1, a, 0x10, 1.5]
        V_QUOTED: '0777'
        V_SEXA: 1:30
        V_INF: .inf
        V_DICT: {k: v, n: 0b11}
        V_TIME: 2001-12-14 21:59:43.10 -5
        V_BIG: 12345678901234567890

        """;

    private const string JsonEnvvars = """
        {"J_FLOAT": 1.0, "J_EXP": 1e5, "J_TRUE": true, "J_NULL": null, "J_LIST": [1, "x", 2.5, false]}
        """;

    private const string Extravars = """
        x_octal: 0777
        x_hex: 0x10
        x_sep: 1_000
        x_exp: 1e5
        x_bool: yes
        x_sexa: 1:30
        x_float: 1.0e+5
        x_quoted: '0x10'

        """;

    private static string Playbook() => $$$"""
        - hosts: localhost
          gather_facts: false
          tasks:
            - name: environment
              ansible.builtin.debug:
                msg: "{% for n in names %}{{ n }}={{ lookup('env', n) }};{% endfor %}"
              vars:
                names: {{{JsonSerializer.Serialize(EnvNames)}}}
            - name: extravars
              ansible.builtin.debug:
                msg: "{% for n in names %}{{ n }}={{ lookup('vars', n) }}:{{ lookup('vars', n) | type_debug }};{% endfor %}"
              vars:
                names: {{{JsonSerializer.Serialize(ExtraNames)}}}

        """;

    [Theory]
    [InlineData("yaml")]
    [InlineData("json")]
    public async Task TaskSeesTheSameEnvironmentAndExtraVars_AsUnderAnsibleRunner(string format)
    {
        using var refPdd = Fixtures.Copy(Fixtures.FixturePdd);
        using var anvilPdd = Fixtures.Copy(Fixtures.FixturePdd);
        foreach (var pdd in new[] { refPdd, anvilPdd })
        {
            pdd.File("env/envvars", format == "yaml" ? YamlEnvvars : JsonEnvvars);
            pdd.File("env/extravars", Extravars);
            pdd.File("project/seen.yml", Playbook());
        }
        var refTask = Fixtures.RunReferenceAsync(refPdd.Path, "seen.yml");
        var anvil = await Fixtures.RunAnvilAsync(anvilPdd.Path, "seen.yml");
        var refDir = await refTask;
        Assert.Equal("successful", File.ReadAllText(Path.Combine(refDir, "status")));
        Assert.Equal("successful", anvil.Status);

        var expected = Messages(refDir);
        var actual = Messages(anvil.ArtifactDir);
        Assert.Equal(2, expected.Count);
        Assert.Equal(expected[0], actual[0]);
        Assert.Equal(expected[1], actual[1]);
        if (format == "yaml")
        {
            Assert.StartsWith("V_OCTAL=511;V_HEX=16;V_SEP=1000;V_EXP=1e5;V_BOOL=True;V_NULL=None;V_FLOAT=100000.0;", actual[0]);
        }
        else
        {
            Assert.StartsWith("V_OCTAL=;", actual[0]);
            Assert.Contains("J_FLOAT=1.0;J_EXP=100000.0;J_TRUE=True;J_NULL=None;J_LIST=[1, 'x', 2.5, False];", actual[0]);
        }
        Assert.StartsWith("x_octal=511:int;x_hex=16:int;x_sep=1000:int;x_exp=1e5:", actual[1]);
    }

    private static List<string> Messages(string artifactDir) =>
        Fixtures.ReadEvents(artifactDir)
            .Where(e => e.GetProperty("event").GetString() == "runner_on_ok")
            .Select(e => e.GetProperty("event_data").GetProperty("res").GetProperty("msg").GetString()!)
            .ToList();
}
