using Anvil.Galaxy.Installing;

namespace Anvil.Galaxy.Resolution;

/// <summary>A requirement and the candidate that asked for it (null: the user).</summary>
public sealed record RequirementInformation(Requirement Requirement, Candidate? Parent)
{
    /// <summary>A line for the error message: the requirement and who asked for it.</summary>
    public override string ToString() =>
        $"* {Requirement} ({(Parent is null ? "direct request" : $"dependency of {Parent}")})";
}

/// <summary>What the resolver asks of the outside world (servers, artifacts, what is installed).</summary>
public interface IResolutionProvider
{
    /// <summary>Candidates for a collection, best first, meeting every requirement and not among the known
    /// incompatibilities.</summary>
    Task<IReadOnlyList<Candidate>> FindMatchesAsync(string name, IReadOnlyList<Requirement> requirements,
        IReadOnlyList<Candidate> incompatibilities, CancellationToken ct);

    /// <summary>The candidate meets the requirement (name, version range, source).</summary>
    bool IsSatisfiedBy(Requirement requirement, Candidate candidate);

    /// <summary>The candidate's own requirements (its collection dependencies).</summary>
    Task<IReadOnlyList<Requirement>> GetDependenciesAsync(Candidate candidate, CancellationToken ct);

    /// <summary>Lower is resolved first.</summary>
    double GetPreference(string name, IReadOnlyList<Candidate> candidates);
}

/// <summary>No set of versions satisfies the requirements; <see cref="Causes"/> are the ones that clash.</summary>
public sealed class ResolutionImpossibleException(IReadOnlyList<RequirementInformation> causes)
    : GalaxyException("Failed to resolve the requested dependencies map. Could not satisfy the following requirements:" +
                      string.Concat(causes.Select(c => Environment.NewLine + c)))
{
    /// <summary>The requirements that could not be met together.</summary>
    public IReadOnlyList<RequirementInformation> Causes { get; } = causes;
}

/// <summary>A concrete artifact (a tarball or directory) does not meet a requirement on its collection.</summary>
public sealed class InconsistentCandidateException(Candidate candidate, IReadOnlyList<RequirementInformation> information)
    : GalaxyException(Describe(candidate, information))
{
    /// <summary>The candidate that does not meet its own requirements.</summary>
    public Candidate Candidate { get; } = candidate;

    private static string Describe(Candidate candidate, IReadOnlyList<RequirementInformation> information)
    {
        var parents = information.Where(i => i.Parent is not null).Select(i => i.Parent!.ToString()).ToList();
        var origin = parents.Count == 0 ? "direct request" : "dependency of " + string.Join(", ", parents);
        return $"Failed to resolve the requested dependencies map. Got the candidate {candidate} ({origin}) " +
               "which didn't satisfy all of the following requirements:" +
               string.Concat(information.Select(i => $"{Environment.NewLine}* {i.Requirement}"));
    }
}

/// <summary>
/// Dependency resolution with backtracking, the algorithm of resolvelib 0.9 that ansible-galaxy 2.14 uses (so both
/// pick the same versions): pin the most constrained unpinned collection (installed ones first, then fewest
/// candidates) to its best candidate whose dependencies keep every other collection satisfiable; when none does,
/// go back to the previous pin, mark it incompatible and try again. The result keeps only pins still reachable from
/// the user's requests.
/// </summary>
public sealed class Resolver(IResolutionProvider provider, int maxRounds = 2_000_000)
{
    private sealed class Criterion(IReadOnlyList<Candidate> candidates, List<RequirementInformation> information, List<Candidate> incompatibilities)
    {
        public IReadOnlyList<Candidate> Candidates { get; } = candidates;

        public List<RequirementInformation> Information { get; } = information;

        public List<Candidate> Incompatibilities { get; } = incompatibilities;

        public IReadOnlyList<Requirement> Requirements => Information.Select(i => i.Requirement).ToList();
    }

    private sealed class ConflictException(Criterion criterion) : Exception
    {
        public Criterion Criterion { get; } = criterion;
    }

    private sealed class State(OrderedDictionary<string, Candidate> mapping, OrderedDictionary<string, Criterion> criteria, List<RequirementInformation> causes)
    {
        public OrderedDictionary<string, Candidate> Mapping { get; } = mapping;

        public OrderedDictionary<string, Criterion> Criteria { get; set; } = criteria;

        public List<RequirementInformation> BacktrackCauses { get; } = causes;

        public State Copy() => new(new(Mapping), new(Criteria), [.. BacktrackCauses]);
    }

    private readonly List<State> _states = [];

    /// <summary>Rounds used by the last resolution.</summary>
    public int Rounds { get; private set; }

    private State Current => _states[^1];

    /// <summary>The chosen candidate of every collection needed, in the order they were pinned.</summary>
    public async Task<IReadOnlyList<Candidate>> ResolveAsync(IReadOnlyList<Requirement> requirements, CancellationToken ct = default)
    {
        _states.Clear();
        _states.Add(new State(new(), new(), []));
        foreach (var r in requirements)
        {
            try
            {
                await AddToCriteriaAsync(Current.Criteria, r, null, ct);
            }
            catch (ConflictException e)
            {
                throw new ResolutionImpossibleException(e.Criterion.Information);
            }
        }
        // The root state stays as a sentinel, so that the first pin has something to go back to.
        _states.Add(Current.Copy());
        for (Rounds = 0; Rounds < maxRounds; Rounds++)
        {
            ct.ThrowIfCancellationRequested();
            var unsatisfied = Current.Criteria.Where(kv => !IsCurrentPinSatisfying(kv.Key, kv.Value)).Select(kv => kv.Key).ToList();
            if (unsatisfied.Count == 0)
            {
                return BuildResult(Current);
            }
            var satisfied = Current.Criteria.Keys.Except(unsatisfied).ToHashSet();
            var name = unsatisfied.MinBy(n => provider.GetPreference(n, Current.Criteria[n].Candidates))!;
            var failures = await AttemptToPinAsync(name, ct);
            if (failures.Count > 0)
            {
                var causes = failures.SelectMany(c => c.Information).ToList();
                var success = await BacktrackAsync(ct);
                Current.BacktrackCauses.Clear();
                Current.BacktrackCauses.AddRange(causes);
                if (!success)
                {
                    throw new ResolutionImpossibleException(causes);
                }
            }
            else
            {
                // Requirements from collections whose pin no longer holds stop counting.
                var newlyUnsatisfied = Current.Criteria.Where(kv => satisfied.Contains(kv.Key) && !IsCurrentPinSatisfying(kv.Key, kv.Value))
                    .Select(kv => kv.Key).ToHashSet();
                RemoveInformation(Current.Criteria, newlyUnsatisfied);
                _states.Add(Current.Copy());
            }
        }
        throw new GalaxyException($"Failed to resolve the requested dependencies map: gave up after {maxRounds:N0} rounds");
    }

    private async Task AddToCriteriaAsync(OrderedDictionary<string, Criterion> criteria, Requirement requirement, Candidate? parent, CancellationToken ct)
    {
        var id = Identify(requirement);
        criteria.TryGetValue(id, out var existing);
        var incompatibilities = existing is null ? new List<Candidate>() : [.. existing.Incompatibilities];
        var requirements = existing is null ? new List<Requirement>() : [.. existing.Requirements];
        requirements.Add(requirement);
        var matches = await provider.FindMatchesAsync(id, requirements, incompatibilities, ct);
        var information = existing is null ? new List<RequirementInformation>() : [.. existing.Information];
        information.Add(new RequirementInformation(requirement, parent));
        var criterion = new Criterion(matches, information, incompatibilities);
        if (matches.Count == 0)
        {
            throw new ConflictException(criterion);
        }
        criteria[id] = criterion;
    }

    private static string Identify(Requirement r) =>
        r.Name?.ToString() ?? throw new InvalidOperationException($"requirement {r} has no name yet");

    private bool IsCurrentPinSatisfying(string name, Criterion criterion) =>
        Current.Mapping.TryGetValue(name, out var pin) && criterion.Requirements.All(r => provider.IsSatisfiedBy(r, pin));

    private async Task<List<Criterion>> AttemptToPinAsync(string name, CancellationToken ct)
    {
        var criterion = Current.Criteria[name];
        var causes = new List<Criterion>();
        foreach (var candidate in criterion.Candidates)
        {
            OrderedDictionary<string, Criterion> criteria;
            try
            {
                criteria = new OrderedDictionary<string, Criterion>(Current.Criteria);
                foreach (var dependency in await provider.GetDependenciesAsync(candidate, ct))
                {
                    await AddToCriteriaAsync(criteria, dependency, candidate, ct);
                }
            }
            catch (ConflictException e)
            {
                causes.Add(e.Criterion);
                continue;
            }
            if (!criterion.Requirements.All(r => provider.IsSatisfiedBy(r, candidate)))
            {
                throw new InconsistentCandidateException(candidate, criterion.Information);
            }
            Current.Criteria = criteria;
            Current.Mapping.Remove(name);
            Current.Mapping.Add(name, candidate);
            return [];
        }
        return causes;
    }

    private async Task<bool> BacktrackAsync(CancellationToken ct)
    {
        while (_states.Count >= 3)
        {
            // Drop the state that failed, and the pin before it; remember what was learnt as incompatibilities.
            _states.RemoveAt(_states.Count - 1);
            var broken = _states[^1];
            _states.RemoveAt(_states.Count - 1);
            var (name, candidate) = broken.Mapping.GetAt(broken.Mapping.Count - 1);
            var learnt = broken.Criteria.Select(kv => (kv.Key, Incompatibilities: new List<Candidate>(kv.Value.Incompatibilities))).ToList();
            learnt.Add((name, [candidate]));
            _states.Add(Current.Copy());
            if (await PatchCriteriaAsync(learnt, ct))
            {
                return true;
            }
        }
        return false;
    }

    private async Task<bool> PatchCriteriaAsync(List<(string Key, List<Candidate> Incompatibilities)> learnt, CancellationToken ct)
    {
        foreach (var (key, incompatibilities) in learnt)
        {
            if (incompatibilities.Count == 0 || !Current.Criteria.TryGetValue(key, out var criterion))
            {
                continue;
            }
            var all = new List<Candidate>(criterion.Incompatibilities);
            all.AddRange(incompatibilities);
            var matches = await provider.FindMatchesAsync(key, criterion.Requirements, all, ct);
            if (matches.Count == 0)
            {
                return false;
            }
            incompatibilities.AddRange(criterion.Incompatibilities);
            Current.Criteria[key] = new Criterion(matches, [.. criterion.Information], incompatibilities);
        }
        return true;
    }

    private void RemoveInformation(OrderedDictionary<string, Criterion> criteria, HashSet<string> parents)
    {
        if (parents.Count == 0)
        {
            return;
        }
        foreach (var key in criteria.Keys.ToList())
        {
            var c = criteria[key];
            criteria[key] = new Criterion(c.Candidates,
                c.Information.Where(i => i.Parent is null || !parents.Contains(i.Parent.Name.ToString())).ToList(),
                c.Incompatibilities);
        }
    }

    // Keeps the pins that a chain of requirements connects to the user's requests (by the very candidate objects
    // pinned: requirements from candidates since replaced do not count).
    private static List<Candidate> BuildResult(State state)
    {
        var keyOf = new Dictionary<Candidate, string>(ReferenceEqualityComparer.Instance);
        foreach (var (k, v) in state.Mapping)
        {
            keyOf[v] = k;
        }
        var connected = new HashSet<string?> { null };
        bool Route(string key, HashSet<string> visiting)
        {
            if (connected.Contains(key))
            {
                return true;
            }
            if (!state.Criteria.TryGetValue(key, out var criterion) || !visiting.Add(key))
            {
                return false;
            }
            foreach (var parent in criterion.Information.Select(i => i.Parent))
            {
                string? pkey;
                if (parent is null)
                {
                    pkey = null;
                }
                else if (!keyOf.TryGetValue(parent, out pkey))
                {
                    continue;
                }
                if (connected.Contains(pkey) || (pkey is not null && Route(pkey, visiting)))
                {
                    connected.Add(key);
                    return true;
                }
            }
            return false;
        }
        foreach (var key in state.Criteria.Keys)
        {
            Route(key, []);
        }
        return state.Mapping.Where(kv => connected.Contains(kv.Key)).Select(kv => kv.Value).ToList();
    }
}
