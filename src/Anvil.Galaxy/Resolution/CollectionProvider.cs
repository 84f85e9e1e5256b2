using System.Collections.Concurrent;
using Anvil.Galaxy.Installing;
using Anvil.Galaxy.Servers;
using Anvil.Galaxy.Versioning;

namespace Anvil.Galaxy.Resolution;

/// <summary>How the provider chooses candidates (ansible-galaxy's install flags).</summary>
public sealed record ResolutionOptions
{
    /// <summary>Follow dependencies (off with <c>--no-deps</c>).</summary>
    public bool WithDependencies { get; init; } = true;

    /// <summary><c>--pre</c>: consider pre-releases everywhere.</summary>
    public bool AllowPrereleases { get; init; }

    /// <summary><c>--upgrade</c>: prefer newer versions over installed ones.</summary>
    public bool Upgrade { get; init; }

    /// <summary><c>--offline</c>: no server is asked; only artifacts and installed collections count.</summary>
    public bool Offline { get; init; }
}

/// <summary>
/// Candidates as ansible-galaxy's provider finds them: a tarball, URL or directory is its one version; a name is
/// every version all servers offer (newest first, then by server order) meeting every requirement, with an
/// installed copy that meets them first (unless upgrading to something newer). Pre-releases count only with
/// <c>--pre</c>, for a pinned requirement, or when the user asked for that very version. Server metadata is fetched
/// ahead in parallel: versions of a collection as soon as something depends on it, and the dependencies of the
/// best candidate as soon as it is known.
/// </summary>
public sealed class CollectionProvider : IResolutionProvider
{
    private readonly IReadOnlyList<GalaxyClient> _servers;
    private readonly CollectionArtifactStore _artifacts;
    private readonly ResolutionOptions _options;
    private readonly HashSet<Candidate> _preferred;
    private readonly HashSet<(string Name, string Version)> _pinnedByUser = [];
    private readonly HashSet<(RequirementType, string)> _concreteByUser = [];
    private readonly ConcurrentDictionary<(GalaxyClient, string), Lazy<Task<IReadOnlyList<string>>>> _versions = new();
    private readonly ConcurrentDictionary<(GalaxyClient, string, string), Lazy<Task<CollectionVersionInfo>>> _details = new();
    private readonly Action<string>? _warn;

    /// <summary>A provider over <paramref name="servers"/> (in priority order) and the already <paramref name="installed"/> collections; <paramref name="warn"/> receives warnings.</summary>
    public CollectionProvider(IReadOnlyList<GalaxyClient> servers, CollectionArtifactStore artifacts, ResolutionOptions options,
        IEnumerable<Requirement> userRequirements, IEnumerable<Candidate> installed, Action<string>? warn = null)
    {
        _servers = servers;
        _artifacts = artifacts;
        _options = options;
        _preferred = installed.ToHashSet();
        _warn = warn;
        foreach (var r in userRequirements)
        {
            if (r.IsConcrete)
            {
                _concreteByUser.Add((r.Type, r.Location!));
            }
            else if (r.Name is { } n && r.Version.Text != "*" && r.Version.AllowsPrereleases)
            {
                _pinnedByUser.Add((n.ToString(), r.Version.Text));
            }
        }
    }

    /// <summary>How many of a collection's best candidates have their version detail fetched ahead.</summary>
    public const int PrefetchedCandidates = 1;

    /// <summary>Server requests made (version lists and details).</summary>
    public int Requests;

    /// <summary>The version detail of a server candidate (download URL, sha256, signatures), fetched once.</summary>
    public Task<CollectionVersionInfo> GetDetailAsync(Candidate candidate, CancellationToken ct) =>
        _details.GetOrAdd((candidate.Server!, candidate.Name.ToString(), candidate.Version), key => new Lazy<Task<CollectionVersionInfo>>(() =>
        {
            Interlocked.Increment(ref Requests);
            return key.Item1.GetVersionAsync(candidate.Name, candidate.Version, CancellationToken.None);
        })).Value.WaitAsync(ct);

    private Task<IReadOnlyList<string>> VersionsAsync(GalaxyClient server, CollectionName name) =>
        _versions.GetOrAdd((server, name.ToString()), key => new Lazy<Task<IReadOnlyList<string>>>(() =>
        {
            Interlocked.Increment(ref Requests);
            return key.Item1.GetVersionsAsync(name, CancellationToken.None);
        })).Value;

    private readonly ConcurrentDictionary<(GalaxyClient, string), byte> _lookedAhead = new();
    private readonly SemaphoreSlim _ahead = new(4, 4);

    /// <summary>Looks ahead in the dependency graph: the versions of <paramref name="name"/>, the details of its
    /// newest few, and the same for their dependencies, at most four requests at a time, so that the resolver
    /// (which asks one thing after another) mostly finds the answers already there.</summary>
    private void Prefetch(CollectionName name, GalaxyServerSettings? only)
    {
        if (_options.Offline)
        {
            return;
        }
        foreach (var server in ServersFor(only))
        {
            if (_lookedAhead.TryAdd((server, name.ToString()), 0))
            {
                _ = LookAheadAsync(server, name);
            }
        }
    }

    private async Task LookAheadAsync(GalaxyClient server, CollectionName name)
    {
        try
        {
            var versions = await AheadAsync(() => VersionsAsync(server, name));
            if (!_options.WithDependencies)
            {
                return;
            }
            var newest = versions.Select(v => SemVersion.TryParse(v, out var sv) ? sv : null).OfType<SemVersion>()
                .Where(v => !v.IsPrerelease || _options.AllowPrereleases).OrderDescending().Take(PrefetchedCandidates);
            await Task.WhenAll(newest.Select(async v =>
            {
                var detail = await AheadAsync(() => GetDetailAsync(new Candidate(name, v.Text, CandidateKind.Galaxy, null, server), CancellationToken.None));
                foreach (var dep in detail.Dependencies)
                {
                    if (CollectionName.TryParse(dep.Key, out var d))
                    {
                        Prefetch(d, null);
                    }
                }
            }));
        }
        catch (Exception e) when (e is GalaxyException or HttpRequestException or OperationCanceledException)
        {
            // Only a guess: the resolver asks again when it needs this, and reports the error then.
        }
    }

    private async Task<T> AheadAsync<T>(Func<Task<T>> fetch)
    {
        await _ahead.WaitAsync();
        try
        {
            return await fetch();
        }
        finally
        {
            _ahead.Release();
        }
    }

    private readonly ConcurrentDictionary<GalaxyServerSettings, GalaxyClient> _adHoc = new();

    // A requirement's source: a configured server, or one made for it (kept for the run).
    private IEnumerable<GalaxyClient> ServersFor(GalaxyServerSettings? only) =>
        only is null ? _servers : [_servers.FirstOrDefault(s => s.Settings == only) ?? _adHoc.GetOrAdd(only, o => new GalaxyClient(o))];

    /// <summary>The clients made for requirements' <c>source:</c> URLs (the caller disposes them).</summary>
    public IEnumerable<GalaxyClient> AdHocServers => _adHoc.Values;

    /// <inheritdoc/>
    public async Task<IReadOnlyList<Candidate>> FindMatchesAsync(string name, IReadOnlyList<Requirement> requirements,
        IReadOnlyList<Candidate> incompatibilities, CancellationToken ct)
    {
        var matches = await FindAllAsync(requirements, ct);
        var result = matches.Where(m => !incompatibilities.Any(i => i.Version == m.Version)).ToList();
        if (_options.WithDependencies)
        {
            // The resolver tries candidates in order and needs each one's dependencies: ask for the first few at
            // once instead of one round trip after another (a server answering 404 or a refused candidate costs
            // nothing more than the wait).
            foreach (var next in result.Take(PrefetchedCandidates).Where(c => c.Kind == CandidateKind.Galaxy))
            {
                _ = GetDetailAsync(next, CancellationToken.None).ContinueWith(t => t.Exception, TaskScheduler.Default);
            }
        }
        return result;
    }

    private async Task<List<Candidate>> FindAllAsync(IReadOnlyList<Requirement> requirements, CancellationToken ct)
    {
        // A tarball or directory among the requirements decides (ansible-galaxy looks only at the first one).
        var first = requirements.FirstOrDefault(r => r.IsConcrete) ?? requirements[0];
        if (first.IsConcrete)
        {
            var artifact = await _artifacts.GetConcreteAsync(first, ct);
            var version = artifact.Info.Version;
            if (version != "*" && !SemVersion.TryParse(version, out _))
            {
                throw new GalaxyException($"Invalid version found for the collection '{first}': {version}. A SemVer-compliant version or '*' is required.");
            }
            return [new Candidate(artifact.Info.FullName, version, Candidate.KindOf(artifact.Type), first.Location)];
        }
        var name = first.Name!.Value;
        var preinstalled = !_options.Upgrade
            ? _preferred.Where(c => c.Name == name && requirements.All(r => IsSatisfiedBy(r, c))).ToList()
            : [];
        var offered = preinstalled.Count > 0 ? [] : await ServerVersionsAsync(first, ct);
        var latest = new List<Candidate>();
        foreach (var (version, server) in offered)
        {
            var candidate = new Candidate(name, version, CandidateKind.Galaxy, null, server);
            if (requirements.All(r => IsSatisfiedBy(r, candidate)))
            {
                latest.Add(candidate);
            }
        }
        latest.Sort((a, b) =>
        {
            var c = b.Semantic!.CompareTo(a.Semantic);
            return c != 0 ? c : ServerIndex(a).CompareTo(ServerIndex(b));
        });
        if (preinstalled.Count == 0)
        {
            preinstalled = _preferred.Where(c => c.Name == name && requirements.All(r => IsSatisfiedBy(r, c)) &&
                                                 (!_options.Upgrade || latest.All(l => c.Semantic is null || l.Semantic! <= c.Semantic)))
                .ToList();
        }
        return [.. preinstalled, .. latest];
    }

    private int ServerIndex(Candidate c) => c.Server is null ? int.MaxValue : _servers.ToList().IndexOf(c.Server) is var i and >= 0 ? i : int.MaxValue;

    /// <summary>(version, server) for every version any server offers, each pair once.</summary>
    private async Task<List<(string Version, GalaxyClient Server)>> ServerVersionsAsync(Requirement requirement, CancellationToken ct)
    {
        if (_options.Offline)
        {
            return [];
        }
        var servers = ServersFor(requirement.Server).ToList();
        var lists = servers.Select(s => (Server: s, Task: VersionsAsync(s, requirement.Name!.Value))).ToList();
        var result = new List<(string, GalaxyClient)>();
        var seen = new HashSet<(string, GalaxyClient)>();
        Exception? last = null;
        var found = false;
        foreach (var (server, task) in lists)
        {
            try
            {
                foreach (var v in await task.WaitAsync(ct))
                {
                    if (!SemVersion.TryParse(v, out _))
                    {
                        _warn?.Invoke($"{server.Settings.Name} offers {requirement.Name}:{v}, which is not a semantic version; ignored");
                        continue;
                    }
                    if (seen.Add((v, server)))
                    {
                        result.Add((v, server));
                    }
                }
                found = true;
            }
            catch (GalaxyApiException e) when (servers.Count > 1)
            {
                _warn?.Invoke($"Skipping Galaxy server {server.Settings.Url}. Got an unexpected error when getting available versions of collection {requirement.Name}: {e.Message}");
                last = e;
            }
        }
        if (!found && last is not null)
        {
            throw last;
        }
        return result;
    }

    /// <inheritdoc/>
    public bool IsSatisfiedBy(Requirement requirement, Candidate candidate)
    {
        var allowPre = _options.AllowPrereleases || requirement.Version.AllowsPrereleases || IsUserRequested(candidate);
        if (candidate.IsPrerelease && !allowPre)
        {
            return false;
        }
        return requirement.Version.Text == "*" || candidate.Version == "*" ||
               (candidate.Semantic is { } v && requirement.Version.IsSatisfiedBy(v));
    }

    private bool IsUserRequested(Candidate c) =>
        c.Kind is CandidateKind.File or CandidateKind.Url or CandidateKind.Dir
            ? _concreteByUser.Contains((TypeOf(c.Kind), c.Location!))
            : _pinnedByUser.Contains((c.Name.ToString(), c.Version));

    private static RequirementType TypeOf(CandidateKind kind) => kind switch
    {
        CandidateKind.File => RequirementType.File,
        CandidateKind.Url => RequirementType.Url,
        _ => RequirementType.Dir,
    };

    /// <inheritdoc/>
    public async Task<IReadOnlyList<Requirement>> GetDependenciesAsync(Candidate candidate, CancellationToken ct)
    {
        if (!_options.WithDependencies)
        {
            return [];
        }
        IReadOnlyList<KeyValuePair<string, string>> deps;
        string source;
        switch (candidate.Kind)
        {
            case CandidateKind.Galaxy:
                var detail = await GetDetailAsync(candidate, ct);
                deps = detail.Dependencies;
                source = $"{candidate} on {candidate.Server!.Settings.Name}";
                break;
            case CandidateKind.Installed:
                deps = Installing.InstalledCollections.Read(candidate.Location!).Manifest?.Info.Dependencies ?? [];
                source = candidate.Location!;
                break;
            default:
                var artifact = await _artifacts.GetConcreteAsync(new Requirement(candidate.Name, VersionRange.Any, TypeOf(candidate.Kind), candidate.Location), ct);
                deps = artifact.Info.Dependencies;
                source = candidate.Location!;
                break;
        }
        var result = deps.Select(d => Requirement.Dependency(d.Key, d.Value, source)).ToList();
        foreach (var r in result)
        {
            Prefetch(r.Name!.Value, null);
        }
        return result;
    }

    /// <summary>Resolves names with preferred (already installed) candidates first, then those with fewest candidates.</summary>
    public double GetPreference(string name, IReadOnlyList<Candidate> candidates) =>
        candidates.Any(_preferred.Contains) ? double.NegativeInfinity : candidates.Count;

    /// <summary>Starts fetching the version lists of the user's requests (before resolution begins).</summary>
    public void PrefetchRequests(IEnumerable<Requirement> requirements)
    {
        foreach (var r in requirements.Where(r => !r.IsConcrete && r.Name is not null))
        {
            Prefetch(r.Name!.Value, r.Server);
        }
    }
}
