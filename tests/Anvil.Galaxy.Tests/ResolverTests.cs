using System.Text.Json;
using Anvil.Galaxy.Installing;
using Anvil.Galaxy.Resolution;
using Anvil.Galaxy.Versioning;

namespace Anvil.Galaxy.Tests;

/// <summary>An index in memory: name → version → dependencies (name → range); candidates newest first.</summary>
internal sealed class IndexProvider(Dictionary<string, Dictionary<string, Dictionary<string, string>>> index) : IResolutionProvider
{
    public int DependencyCalls { get; private set; }

    public Task<IReadOnlyList<Candidate>> FindMatchesAsync(string name, IReadOnlyList<Requirement> requirements,
        IReadOnlyList<Candidate> incompatibilities, CancellationToken ct)
    {
        var n = CollectionName.Parse(name);
        IReadOnlyList<Candidate> list = (index.TryGetValue(name, out var versions) ? versions.Keys.ToList() : [])
            .Select(v => new Candidate(n, v, CandidateKind.Galaxy))
            .Where(c => requirements.All(r => IsSatisfiedBy(r, c)) && incompatibilities.All(i => i.Version != c.Version))
            .OrderByDescending(c => SemVersion.Parse(c.Version))
            .ToList();
        return Task.FromResult(list);
    }

    public bool IsSatisfiedBy(Requirement requirement, Candidate candidate) => requirement.Version.IsSatisfiedBy(candidate.Version);

    public Task<IReadOnlyList<Requirement>> GetDependenciesAsync(Candidate candidate, CancellationToken ct)
    {
        DependencyCalls++;
        IReadOnlyList<Requirement> deps = index[candidate.Name.ToString()][candidate.Version]
            .Select(d => Requirement.Dependency(d.Key, d.Value, "index")).ToList();
        return Task.FromResult(deps);
    }

    public double GetPreference(string name, IReadOnlyList<Candidate> candidates) => candidates.Count;
}

[Trait("Category", "Integration")]
public class ResolverTests
{
    private static Dictionary<string, Dictionary<string, Dictionary<string, string>>> Index(params (string Name, string Version, (string, string)[] Deps)[] rows)
    {
        var index = new Dictionary<string, Dictionary<string, Dictionary<string, string>>>();
        foreach (var (name, version, deps) in rows)
        {
            if (!index.TryGetValue(name, out var versions))
            {
                index[name] = versions = [];
            }
            versions[version] = deps.ToDictionary(d => d.Item1, d => d.Item2);
        }
        return index;
    }

    private static Requirement Req(string name, string range = "*") => Requirement.Dependency(name, range, "test");

    private static async Task<Dictionary<string, string>> Resolve(Dictionary<string, Dictionary<string, Dictionary<string, string>>> index, params Requirement[] roots)
    {
        var result = await new Resolver(new IndexProvider(index)).ResolveAsync(roots);
        return result.ToDictionary(c => c.Name.ToString(), c => c.Version);
    }

    [Fact]
    public async Task Resolve_PicksTheNewestVersionsThatFitTogether()
    {
        var index = Index(
            ("a.a", "1.0.0", [("b.b", ">=1.0.0")]),
            ("a.a", "2.0.0", [("b.b", ">=2.0.0")]),
            ("b.b", "1.0.0", []),
            ("b.b", "2.5.0", [("c.c", "<2")]),
            ("c.c", "1.9.0", []),
            ("c.c", "2.0.0", []));
        Assert.Equal(new Dictionary<string, string> { ["a.a"] = "2.0.0", ["b.b"] = "2.5.0", ["c.c"] = "1.9.0" }, await Resolve(index, Req("a.a")));
    }

    [Fact]
    public async Task Backtracks_WhenTheNewestLeadsToAConflict()
    {
        // a 2 needs b<2 and c>=2, but every c>=2 needs b>=2: only a 1 works.
        var index = Index(
            ("a.a", "1.0.0", [("b.b", "*"), ("c.c", "<2")]),
            ("a.a", "2.0.0", [("b.b", "<2.0.0"), ("c.c", ">=2.0.0")]),
            ("b.b", "1.0.0", []),
            ("b.b", "2.0.0", []),
            ("c.c", "1.0.0", []),
            ("c.c", "2.0.0", [("b.b", ">=2.0.0")]),
            ("c.c", "3.0.0", [("b.b", ">=2.0.0")]));
        var result = await Resolve(index, Req("a.a"));
        Assert.Equal("1.0.0", result["a.a"]);
        Assert.Equal("1.0.0", result["c.c"]);
        Assert.Equal("2.0.0", result["b.b"]);
    }

    [Fact]
    public async Task Impossible_NamesTheClashingRequirements()
    {
        var index = Index(
            ("a.a", "1.0.0", [("c.c", ">=2.0.0")]),
            ("b.b", "1.0.0", [("c.c", "<2.0.0")]),
            ("c.c", "1.0.0", []),
            ("c.c", "2.0.0", []));
        var e = await Assert.ThrowsAsync<ResolutionImpossibleException>(() => Resolve(index, Req("a.a"), Req("b.b")));
        Assert.StartsWith("Failed to resolve the requested dependencies map. Could not satisfy the following requirements:", e.Message);
        Assert.Contains("* c.c:>=2.0.0 (dependency of a.a:1.0.0)", e.Message);
        Assert.Contains("* c.c:<2.0.0 (dependency of b.b:1.0.0)", e.Message);
    }

    [Fact]
    public async Task MissingCollection_IsImpossible_AsADirectRequest()
    {
        var e = await Assert.ThrowsAsync<ResolutionImpossibleException>(() => Resolve(Index(), Req("x.y", ">=1.0.0")));
        Assert.Contains("* x.y:>=1.0.0 (direct request)", e.Message);
    }

    [Fact]
    public async Task PinsNoLongerNeededAfterBacktracking_AreDropped()
    {
        var index = Index(
            ("a.a", "1.0.0", []),
            ("a.a", "2.0.0", [("d.d", "*"), ("b.b", ">=2.0.0")]),
            ("b.b", "1.0.0", []),
            ("d.d", "1.0.0", []));
        var result = await Resolve(index, Req("a.a"), Req("b.b"));
        Assert.Equal(new Dictionary<string, string> { ["a.a"] = "1.0.0", ["b.b"] = "1.0.0" }, result);
    }

    /// <summary>The same choices as resolvelib (the library inside ansible-galaxy 2.14) on random graphs with
    /// conflicting ranges, given the same provider rules (newest first, fewest candidates first, ansible-core's
    /// range semantics).</summary>
    [Fact]
    [Trait("Category", "Interop")]
    public async Task ChoosesWhatResolvelibChooses_OnRandomConflictingGraphs()
    {
        var script = """
            import json, sys
            from resolvelib import AbstractProvider, BaseReporter, Resolver
            from resolvelib.resolvers import ResolutionImpossible
            from ansible.galaxy.dependency_resolution.versioning import meets_requirements
            from ansible.utils.version import SemanticVersion
            class P(AbstractProvider):
                def __init__(self, index): self.index = index
                def identify(self, requirement_or_candidate): return requirement_or_candidate[0]
                def get_preference(self, identifier, resolutions, candidates, information, backtrack_causes):
                    return len(list(candidates[identifier]))
                def find_matches(self, identifier, requirements, incompatibilities):
                    reqs = list(requirements[identifier]); bad = {c[1] for c in incompatibilities[identifier]}
                    vs = [v for v in self.index.get(identifier, {}) if v not in bad and all(meets_requirements(v, r[1]) for r in reqs)]
                    return [(identifier, v) for v in sorted(vs, key=SemanticVersion, reverse=True)]
                def is_satisfied_by(self, requirement, candidate): return meets_requirements(candidate[1], requirement[1])
                def get_dependencies(self, candidate): return [(k, v) for k, v in self.index[candidate[0]][candidate[1]].items()]
            out = []
            for case in json.load(sys.stdin):
                try:
                    res = Resolver(P(case['index']), BaseReporter()).resolve([tuple(r) for r in case['roots']], max_rounds=100000)
                    out.append({k: v[1] for k, v in res.mapping.items()})
                except ResolutionImpossible:
                    out.append(None)
            print(json.dumps(out))
            """;
        var cases = Enumerable.Range(1, 40).Select(seed => RandomCase(seed)).ToList();
        var input = Path.GetTempFileName();
        await File.WriteAllTextAsync(input, JsonSerializer.Serialize(cases.Select(c => new { index = c.Index, roots = c.Roots.Select(r => new[] { r.Item1, r.Item2 }) })));
        try
        {
            var (code, output, error) = await Tools.RunAsync("/bin/sh", ["-c", $"/usr/bin/python3 -c \"$0\" < {input}", script]);
            Assert.True(code == 0, error);
            var expected = JsonSerializer.Deserialize<List<Dictionary<string, string>?>>(output)!;
            var impossible = 0;
            for (var i = 0; i < cases.Count; i++)
            {
                Dictionary<string, string>? ours;
                try
                {
                    ours = await Resolve(cases[i].Index, cases[i].Roots.Select(r => Req(r.Item1, r.Item2)).ToArray());
                }
                catch (ResolutionImpossibleException)
                {
                    ours = null;
                    impossible++;
                }
                Assert.True(expected[i] is null == ours is null, $"case {i + 1}: resolvelib {(expected[i] is null ? "fails" : "succeeds")}");
                if (ours is not null)
                {
                    Assert.Equal(expected[i]!.OrderBy(x => x.Key), ours.OrderBy(x => x.Key));
                }
            }
            Assert.InRange(impossible, 1, cases.Count - 1);
        }
        finally
        {
            File.Delete(input);
        }
    }

    private static (Dictionary<string, Dictionary<string, Dictionary<string, string>>> Index, List<(string, string)> Roots) RandomCase(int seed)
    {
        var random = new Random(seed);
        var names = Enumerable.Range(0, 12).Select(i => $"ns.c{i}").ToList();
        var index = new Dictionary<string, Dictionary<string, Dictionary<string, string>>>();
        for (var i = 0; i < names.Count; i++)
        {
            var versions = new Dictionary<string, Dictionary<string, string>>();
            foreach (var major in Enumerable.Range(1, random.Next(1, 5)))
            {
                var deps = new Dictionary<string, string>();
                // Dependencies only on later names: a DAG, as real collections are.
                foreach (var j in Enumerable.Range(i + 1, names.Count - i - 1).Where(_ => random.Next(4) == 0))
                {
                    var m = random.Next(1, 5);
                    deps[names[j]] = random.Next(3) switch { 0 => $">={m}.0.0", 1 => $"<{m}.0.0", _ => $">={m}.0.0,<{m + 1}.0.0" };
                }
                versions[$"{major}.{random.Next(3)}.0"] = deps;
            }
            index[names[i]] = versions;
        }
        var roots = names.Take(3).Select(n => (n, random.Next(2) == 0 ? "*" : $">={random.Next(1, 3)}.0.0")).ToList();
        return (index, roots);
    }
}
