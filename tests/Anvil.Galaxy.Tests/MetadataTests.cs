using System.Security.Cryptography;
using Anvil.Galaxy.Metadata;

namespace Anvil.Galaxy.Tests;

public class MetadataTests
{
    private static string Samples => Path.Combine(RepoPaths.Samples, "galaxy");

    private const string Good = """
        namespace: acme
        name: demo
        version: 1.0.0
        readme: README.md
        authors: [Someone <a@b.c>]
        license: [MIT]
        repository: https://example.com/repo
        """;

    private static GalaxyYml Parse(string yaml, bool forBuild = true) => GalaxyYmlReader.Parse(yaml, "/src/galaxy.yml", null, forBuild);

    private static List<string> Problems(string yaml, bool forBuild = true)
    {
        var e = Assert.Throws<MetadataException>(() => Parse(yaml, forBuild));
        return e.Problems.Select(p => p.ToString()).ToList();
    }

    [Fact]
    public void FilesJson_IsWrittenByteForByteAsAnsibleGalaxy()
    {
        var bytes = File.ReadAllBytes(Path.Combine(Samples, "FILES.json"));
        var files = ManifestJson.ReadFiles(bytes, "FILES.json");
        Assert.Equal(bytes, ManifestJson.Write(files));
    }

    [Fact]
    public void ManifestJson_IsWrittenByteForByteAsAnsibleGalaxy_AndHoldsTheFilesChecksum()
    {
        var bytes = File.ReadAllBytes(Path.Combine(Samples, "MANIFEST.json"));
        var manifest = ManifestJson.ReadManifest(bytes, "MANIFEST.json");
        Assert.Equal(bytes, ManifestJson.Write(manifest));
        var files = File.ReadAllBytes(Path.Combine(Samples, "FILES.json"));
        Assert.Equal(manifest.FileManifestFile.ChksumSha256, Convert.ToHexStringLower(SHA256.HashData(files)));
        Assert.Equal(">=1.0.0,<9.0.0", Assert.Single(manifest.Info.Dependencies, d => d.Key == "community.general").Value);
    }

    [Fact]
    public void JsonEscapes_AsPython()
    {
        var info = new CollectionInfo { Namespace = "a", Name = "b", Version = "1.0.0", Description = "café \"q\" \\ \t\u007f😀" };
        var text = System.Text.Encoding.ASCII.GetString(ManifestJson.Write(new CollectionManifest(info, FileEntry.RegularFile("FILES.json", "x"))));
        Assert.Contains(@"""description"": ""caf\u00e9 \""q\"" \\ \t\u007f\ud83d\ude00""", text);
        Assert.Contains("\"tags\": [],", text);
        Assert.Contains("\"dependencies\": {},", text);
        Assert.False(text.EndsWith('\n'));
    }

    [Fact]
    public void GoodFile_IsRead_WithAnsibleGalaxyDefaults()
    {
        var meta = Parse(Good.Replace("license: [MIT]", "license: MIT", StringComparison.Ordinal) + "\ntags: tools\n");
        Assert.Equal("acme", meta.Info.Namespace);
        Assert.Equal(["tools"], meta.Info.Tags);
        Assert.Equal(["MIT"], meta.Info.License);
        Assert.Null(meta.Info.LicenseFile);
        Assert.Empty(meta.Info.Dependencies);
        Assert.Empty(meta.Warnings);
    }

    [Fact]
    public void MissingRequiredKeys_OneMessageEach_NamingFileAndField()
    {
        var problems = Problems("namespace: acme\nname: demo\n");
        Assert.Contains("/src/galaxy.yml: version: missing (required)", problems);
        Assert.Contains("/src/galaxy.yml: readme: missing (required)", problems);
        Assert.Contains("/src/galaxy.yml: authors: missing (required)", problems);
    }

    [Fact]
    public void VersionReadAsANumber_SaysSo()
    {
        var problems = Problems(Good.Replace("version: 1.0.0", "version: 1.0"));
        var p = Assert.Single(problems);
        Assert.Equal("/src/galaxy.yml:3: version: 1.0 is read as a number, not a version; write a semantic version such as '1.0.0'", p);
    }

    [Fact]
    public void EveryProblem_IsReported_OnePerField()
    {
        var yaml = """
            namespace: Bad-NS
            name: demo__x
            version: 1.0.0.0
            readme: README.md
            authors: []
            license: [GPL-3.0, NotALicense, mit]
            tags: [ok, Bad Tag]
            dependencies:
              acme.base: '>= 1.0.0'
              notafqcn: '*'
              other.dep: 1
              Bad-NS.demo__x: '*'
            repository: https://example.com
            frobnicate: true
            """;
        var problems = Problems(yaml);
        string[] expected =
        [
            "namespace: 'Bad-NS' must be lower-case",
            "name: 'demo__x' contains '__'",
            "version: '1.0.0.0' is not a semantic version",
            "authors: must name at least one author",
            "license[0]: 'GPL-3.0' is a deprecated SPDX identifier",
            "license[1]: 'NotALicense' is not an SPDX license identifier",
            "license[2]: 'mit' is not an SPDX license identifier (did you mean 'MIT'?)",
            "tags[1]: 'Bad Tag' must be lower-case",
            "dependencies.acme.base: '>= 1.0.0' in '>= 1.0.0' is not a version requirement",
            "dependencies: 'notafqcn' is not a collection name",
            "dependencies.other.dep: 1 is not a version range; quote it",
        ];
        foreach (var e in expected)
        {
            Assert.Contains(problems, p => p.Contains(e, StringComparison.Ordinal));
        }
        Assert.All(problems, p => Assert.StartsWith("/src/galaxy.yml:", p));
    }

    [Fact]
    public void UnknownKey_IsAWarningWithItsLine()
    {
        var meta = Parse(Good + "\nfrobnicate: true\n");
        Assert.Equal("/src/galaxy.yml:8: unknown key 'frobnicate' (ignored)", Assert.Single(meta.Warnings));
    }

    [Fact]
    public void ManifestAndBuildIgnore_AreMutuallyExclusive_AndDirectivesAreChecked()
    {
        var problems = Problems(Good + "\nbuild_ignore: ['*.tmp']\nmanifest:\n  directives:\n  - recursive-include docs\n  - frobnicate x\n  omit_default_directives: maybe\n");
        Assert.Contains(problems, p => p.EndsWith("manifest: 'build_ignore' and 'manifest' are mutually exclusive", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("manifest.directives[0]: 'recursive-include' expects <dir> <pattern1>", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("manifest.directives[1]: unknown action 'frobnicate'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("manifest.omit_default_directives: must be true or false", StringComparison.Ordinal));
    }

    [Fact]
    public void OmitDefaultsWithoutDirectives_IsAnError()
    {
        var problems = Problems(Good + "\nmanifest:\n  omit_default_directives: true\n");
        Assert.Contains(problems, p => p.Contains("would produce an empty collection artifact", StringComparison.Ordinal));
    }

    [Fact]
    public void NotYaml_NamesTheLine()
    {
        var problems = Problems("namespace: acme\nname: [unclosed\n");
        Assert.Matches(@"^/src/galaxy.yml:\d+: not valid YAML", Assert.Single(problems));
    }

    [Fact]
    public void SourceInstall_IsLenient_AndReadsAnEmptyVersionAsStar()
    {
        var meta = Parse("namespace: Acme\nname: demo\nversion:\nreadme: README.md\nauthors: [x]\n", forBuild: false);
        Assert.Equal("*", meta.Info.Version);
        Assert.Equal("Acme", meta.Info.Namespace);
    }

    [Theory]
    [InlineData("yes", YamlScalarKind.Bool)]
    [InlineData("On", YamlScalarKind.Bool)]
    [InlineData("1.0", YamlScalarKind.Float)]
    [InlineData("1.0.0", YamlScalarKind.String)]
    [InlineData("010", YamlScalarKind.Int)]
    [InlineData("0x1F", YamlScalarKind.Int)]
    [InlineData("2024-01-01", YamlScalarKind.Timestamp)]
    [InlineData("~", YamlScalarKind.Null)]
    [InlineData(".inf", YamlScalarKind.Float)]
    [InlineData("1e3", YamlScalarKind.String)]
    public void PlainScalars_AreTypedAsPyYamlTypesThem(string text, YamlScalarKind kind) => Assert.Equal(kind, Yaml11.Resolve(text));

    [Fact]
    public void QuotedNumbers_AreText()
    {
        var meta = Parse(Good.Replace("version: 1.0.0", "version: '1.0.0'") + "\ndescription: '1.0'\n");
        Assert.Equal("1.0", meta.Info.Description);
    }
}
