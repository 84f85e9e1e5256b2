using System.Collections.Concurrent;
using Anvil.Galaxy.Archives;
using Anvil.Galaxy.Building;
using Anvil.Galaxy.Resolution;
using Anvil.Galaxy.Servers;
using Anvil.Galaxy.Versioning;

namespace Anvil.Galaxy.Installing;

/// <summary>The flags of <c>collection install</c>, as ansible-galaxy's.</summary>
public sealed record InstallOptions
{
    /// <summary><c>-p</c>: the collections path (<c>ansible_collections</c> is appended unless present).</summary>
    public required string CollectionsPath { get; init; }

    /// <summary><c>--force</c>: reinstall the requested collections even when installed.</summary>
    public bool Force { get; init; }

    /// <summary><c>--force-with-deps</c>: reinstall the requested collections and their dependencies.</summary>
    public bool ForceWithDependencies { get; init; }

    /// <summary><c>--upgrade</c>: take newer versions of requested and dependent collections.</summary>
    public bool Upgrade { get; init; }

    /// <summary><c>--no-deps</c>.</summary>
    public bool NoDependencies { get; init; }

    /// <summary><c>--offline</c>: no server is contacted.</summary>
    public bool Offline { get; init; }

    /// <summary><c>--pre</c>: allow pre-releases.</summary>
    public bool AllowPrereleases { get; init; }

    /// <summary><c>--ignore-errors</c>: a collection that fails to install does not stop the others.</summary>
    public bool IgnoreErrors { get; init; }

    /// <summary>Downloads and unpacks at once (default 4).</summary>
    public int Parallelism { get; init; } = 4;

    /// <summary>Guards against archive bombs while unpacking. Default: <see cref="ExtractionLimits.Default"/>.</summary>
    public ExtractionLimits Limits { get; init; } = ExtractionLimits.Default;
}

/// <summary>What an install did.</summary>
public sealed record InstallResult(
    IReadOnlyList<Candidate> Installed,
    IReadOnlyList<Candidate> AlreadyInstalled,
    IReadOnlyList<string> Failed,
    bool NothingToDo);

/// <summary>
/// <c>collection install</c>, <c>download</c> and resolution for them. Requirements are resolved with
/// <see cref="Resolver"/> over <see cref="CollectionProvider"/>, metadata and artifacts are fetched in parallel
/// (artifacts through the <see cref="CollectionArtifactStore"/> cache), and each collection is installed through a
/// <see cref="CollectionTarget"/> (staged, checked, then swapped in).
/// </summary>
public sealed class CollectionInstaller(IReadOnlyList<GalaxyClient> servers, CollectionArtifactStore artifacts, Action<CollectionEvent>? report = null)
{
    private void Info(string message) => report?.Invoke(new CollectionEvent(CollectionEventKind.Info, message));

    private void Warn(string message) => report?.Invoke(new CollectionEvent(CollectionEventKind.Warning, message));

    /// <summary>Server requests made by the last resolution.</summary>
    public int ServerRequests { get; private set; }

    /// <summary>Turns directories of collections into one requirement per collection, fills in the name and
    /// version of tarballs and directories, and refuses what Anvil does not install (Git).</summary>
    public async Task<List<Requirement>> PrepareAsync(IEnumerable<Requirement> requirements, CancellationToken ct)
    {
        var expanded = new List<Requirement>();
        foreach (var r in requirements)
        {
            switch (r.Type)
            {
                case RequirementType.Git:
                    throw new GalaxyException($"{r.Location}: Git sources are not supported by anvil collection yet; clone it and install the directory, or build a tarball");
                case RequirementType.Subdirs:
                    expanded.AddRange(RequirementParser.SubCollections(r.Location!).Select(d => new Requirement(null, VersionRange.Any, RequirementType.Dir, d)));
                    break;
                default:
                    expanded.Add(r);
                    break;
            }
        }
        var named = await Task.WhenAll(expanded.Select(async r =>
        {
            if (!r.IsConcrete)
            {
                return r;
            }
            var artifact = await artifacts.GetConcreteAsync(r, ct);
            if (r.Name is { } n && n != artifact.Info.FullName)
            {
                throw new GalaxyException($"{r.Location} holds {artifact.Info.FullName}, not {n}");
            }
            // ansible-galaxy reads a concrete requirement without a version as "exactly the artifact's version".
            var version = r.Version.IsAny && artifact.Info.Version != "*" && SemVersion.TryParse(artifact.Info.Version, out _)
                ? VersionRange.Parse(artifact.Info.Version)
                : r.Version;
            return r with { Name = artifact.Info.FullName, Version = version };
        }));
        return [.. named];
    }

    /// <summary>Resolves <paramref name="requirements"/> against what is installed in <paramref name="installed"/>.</summary>
    public async Task<(IReadOnlyList<Candidate> Mapping, CollectionProvider Provider)> ResolveAsync(IReadOnlyList<Requirement> requirements,
        IReadOnlyList<Candidate> installed, ResolutionOptions options, CancellationToken ct)
    {
        var provider = new CollectionProvider(servers, artifacts, options, requirements, installed, Warn);
        provider.PrefetchRequests(requirements);
        report?.Invoke(new CollectionEvent(CollectionEventKind.Resolving, "Process install dependency map", Total: requirements.Count));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            var resolver = new Resolver(provider);
            var mapping = await resolver.ResolveAsync(requirements, ct);
            report?.Invoke(new CollectionEvent(CollectionEventKind.Resolved,
                $"Resolved {mapping.Count} collection(s) in {watch.Elapsed.TotalSeconds:0.00} s ({resolver.Rounds} rounds, {provider.Requests} server requests)",
                Total: mapping.Count));
            return (mapping, provider);
        }
        finally
        {
            ServerRequests = provider.Requests;
        }
    }

    /// <summary>Resolves <paramref name="requested"/> with their dependencies and installs what is missing or, with the options asking for it, upgrades or reinstalls (as <c>ansible-galaxy collection install</c>).</summary>
    public async Task<InstallResult> InstallAsync(IReadOnlyList<Requirement> requested, InstallOptions options, CancellationToken ct = default)
    {
        var target = new CollectionTarget(options.CollectionsPath, options.Limits);
        var requirements = await PrepareAsync(requested, ct);
        var existing = InstalledCollections.Find(target.Root, Warn)
            .Select(c => new Candidate(c.Name, c.Version, CandidateKind.Installed, c.Path)).ToList();
        var requestedNames = requirements.Select(r => r.Name!.Value).ToHashSet();
        var unsatisfied = options.Force || options.ForceWithDependencies
            ? requirements
            : requirements.Where(r => !existing.Any(e => e.Name == r.Name && (e.Version == "*" || r.Version.IsSatisfiedBy(e.Version)))).ToList();
        if (unsatisfied.Count == 0 && !options.Upgrade)
        {
            Info("Nothing to do. All requested collections are already installed. If you want to reinstall them, consider using `--force`.");
            return new InstallResult([], [], [], true);
        }
        var preferred = options.ForceWithDependencies ? []
            : options.Force ? existing.Where(e => !requestedNames.Contains(e.Name)).ToList()
            : existing;
        var (mapping, provider) = await ResolveAsync(requirements, preferred, new ResolutionOptions
        {
            WithDependencies = !options.NoDependencies,
            AllowPrereleases = options.AllowPrereleases,
            Upgrade = options.Upgrade,
            Offline = options.Offline,
        }, ct);
        try
        {
            var skip = mapping.Where(preferred.Contains).ToList();
            foreach (var s in skip)
            {
                Info($"'{s}' is already installed, skipping.");
            }
            // The biggest local artifacts first, so that the longest unpacking does not start last.
            var work = mapping.Where(c => !preferred.Contains(c))
                .OrderByDescending(c => c.Kind == CandidateKind.File && File.Exists(c.Location) ? new FileInfo(c.Location!).Length : 0)
                .ToList();
            var installed = new ConcurrentBag<(int Order, Candidate Candidate)>();
            var failed = new ConcurrentBag<string>();
            // The first error stops the others (unless --ignore-errors); what is already in place stays.
            await Parallel.ForEachAsync(work.Select((c, i) => (c, i)), new ParallelOptions
            {
                MaxDegreeOfParallelism = Math.Max(1, options.Parallelism),
                CancellationToken = ct,
            }, async (item, token) =>
            {
                var (candidate, order) = item;
                try
                {
                    await InstallOneAsync(candidate, provider, target, token);
                    installed.Add((order, candidate));
                }
                catch (GalaxyException e) when (options.IgnoreErrors)
                {
                    Warn($"Failed to install collection {candidate} but skipping due to --ignore-errors being set. Error: {e.Message}");
                    failed.Add(candidate.ToString());
                }
            });
            ct.ThrowIfCancellationRequested();
            return new InstallResult(installed.OrderBy(x => x.Order).Select(x => x.Candidate).ToList(), skip, failed.ToList(), false);
        }
        finally
        {
            foreach (var s in provider.AdHocServers)
            {
                s.Dispose();
            }
        }
    }

    private async Task InstallOneAsync(Candidate candidate, CollectionProvider provider, CollectionTarget target, CancellationToken ct)
    {
        var subject = candidate.ToString();
        var destination = target.PathOf(candidate.Name);
        switch (candidate.Kind)
        {
            case CandidateKind.Galaxy:
                {
                    var detail = await provider.GetDetailAsync(candidate, ct);
                    var tarball = await FetchAsync(candidate, detail, ct);
                    report?.Invoke(new CollectionEvent(CollectionEventKind.Installing, $"Installing '{subject}' to '{destination}'", subject));
                    var root = await candidate.Server!.GetApiRootAsync(ct);
                    await Task.Run(() => target.InstallArtifact(tarball, candidate.Name, candidate.Version,
                        new GalaxySourceInfo(detail.DownloadUrl, root, detail.Href, detail.Signatures), Warn, ct), ct);
                    break;
                }
            case CandidateKind.File or CandidateKind.Url:
                {
                    var artifact = await artifacts.GetConcreteAsync(new Requirement(candidate.Name, VersionRange.Any,
                        candidate.Kind == CandidateKind.File ? RequirementType.File : RequirementType.Url, candidate.Location), ct);
                    report?.Invoke(new CollectionEvent(CollectionEventKind.Installing, $"Installing '{subject}' to '{destination}'", subject));
                    await Task.Run(() => target.InstallArtifact(artifact.LocalPath, candidate.Name, candidate.Version, null, Warn, ct), ct);
                    break;
                }
            case CandidateKind.Dir:
                report?.Invoke(new CollectionEvent(CollectionEventKind.Installing, $"Installing '{subject}' to '{destination}'", subject));
                await Task.Run(() => target.InstallDirectory(candidate.Location!, Warn, ct), ct);
                break;
            default:
                return;
        }
        report?.Invoke(new CollectionEvent(CollectionEventKind.Installed, $"{subject} was installed successfully", subject));
    }

    private async Task<string> FetchAsync(Candidate candidate, CollectionVersionInfo detail, CancellationToken ct)
    {
        var subject = candidate.ToString();
        report?.Invoke(new CollectionEvent(CollectionEventKind.Downloading, $"Downloading {detail.DownloadUrl}", subject));
        var progress = report is null ? null : new Progress<long>(bytes =>
            report(new CollectionEvent(CollectionEventKind.Downloading, "", subject, bytes)));
        var path = await artifacts.GetGalaxyArtifactAsync(candidate.Server!, detail, progress, ct);
        report?.Invoke(new CollectionEvent(CollectionEventKind.Downloaded, $"Downloaded {subject}", subject, new FileInfo(path).Length));
        return path;
    }

    /// <summary><c>collection download</c>: the artifacts of the resolved collections copied into
    /// <paramref name="downloadPath"/> (a directory is built into a tarball), with a requirements.yml listing
    /// them for a later <c>install -r requirements.yml --offline</c> there.</summary>
    public async Task<IReadOnlyList<string>> DownloadAsync(IReadOnlyList<Requirement> requested, string downloadPath, bool noDeps,
        bool allowPrereleases, CancellationToken ct = default)
    {
        var requirements = await PrepareAsync(requested, ct);
        var (mapping, provider) = await ResolveAsync(requirements, [], new ResolutionOptions
        {
            WithDependencies = !noDeps,
            AllowPrereleases = allowPrereleases,
        }, ct);
        Directory.CreateDirectory(downloadPath);
        var files = new string[mapping.Count];
        try
        {
            Info($"Starting collection download process to '{downloadPath}'");
            await Parallel.ForEachAsync(mapping.Select((c, i) => (c, i)), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct },
                async (item, token) =>
                {
                    var (c, i) = item;
                    string destination;
                    switch (c.Kind)
                    {
                        case CandidateKind.Galaxy:
                            var detail = await provider.GetDetailAsync(c, token);
                            var source = await FetchAsync(c, detail, token);
                            var name = Path.GetFileName(new Uri(detail.DownloadUrl).AbsolutePath);
                            destination = Path.Combine(downloadPath, name.EndsWith(".tar.gz", StringComparison.Ordinal) ? name : $"{c.Name.Namespace}-{c.Name.Name}-{c.Version}.tar.gz");
                            File.Copy(source, destination, overwrite: true);
                            break;
                        case CandidateKind.Dir:
                            destination = await Task.Run(() => CollectionBuilder.Build(c.Location!, downloadPath, force: true, token).ArtifactPath, token);
                            break;
                        default:
                            var artifact = await artifacts.GetConcreteAsync(new Requirement(c.Name, VersionRange.Any,
                                c.Kind == CandidateKind.File ? RequirementType.File : RequirementType.Url, c.Location), token);
                            destination = Path.Combine(downloadPath, Path.GetFileName(artifact.LocalPath));
                            if (Path.GetFullPath(artifact.LocalPath) != Path.GetFullPath(destination))
                            {
                                File.Copy(artifact.LocalPath, destination, overwrite: true);
                            }
                            break;
                    }
                    Info($"Collection '{c}' was downloaded successfully");
                    files[i] = destination;
                });
        }
        finally
        {
            foreach (var s in provider.AdHocServers)
            {
                s.Dispose();
            }
        }
        var yaml = new System.Text.StringBuilder("collections:\n");
        for (var i = 0; i < mapping.Count; i++)
        {
            yaml.Append("- name: ").Append(Metadata.Yaml11.Quote(Path.GetFileName(files[i]))).Append('\n');
            yaml.Append("  version: ").Append(Metadata.Yaml11.Quote(mapping[i].Version)).Append('\n');
        }
        var requirementsPath = Path.Combine(downloadPath, "requirements.yml");
        Info($"Writing requirements.yml file of downloaded collections to '{requirementsPath}'");
        var temp = requirementsPath + ".tmp";
        await File.WriteAllTextAsync(temp, yaml.ToString(), ct);
        File.Move(temp, requirementsPath, overwrite: true);
        return files;
    }
}
