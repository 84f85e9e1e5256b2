using Anvil.Galaxy.Installing;
using Anvil.Galaxy.Servers;

namespace Anvil.Galaxy.Resolution;

/// <summary>Where a candidate comes from.</summary>
public enum CandidateKind
{
    /// <summary>A version offered by a Galaxy server.</summary>
    Galaxy,

    /// <summary>A local tarball.</summary>
    File,

    /// <summary>A tarball at a URL (downloaded to read its metadata).</summary>
    Url,

    /// <summary>A collection directory (source tree or installed copy elsewhere).</summary>
    Dir,

    /// <summary>The copy already installed in the target path.</summary>
    Installed,
}

/// <summary>A concrete version of a collection that could be installed.</summary>
/// <param name="Name">The collection.</param>
/// <param name="Version">Its version (<c>*</c> for a source tree without one).</param>
/// <param name="Kind">Where it comes from.</param>
/// <param name="Location">The tarball or directory (for a URL, the URL).</param>
/// <param name="Server">The server that offers it (Galaxy candidates).</param>
public sealed record Candidate(CollectionName Name, string Version, CandidateKind Kind, string? Location = null, GalaxyClient? Server = null)
{
    // Parsed once: the resolver compares candidates against ranges thousands of times.
    private readonly Versioning.SemVersion? _semantic = Versioning.SemVersion.TryParse(Version, out var v) ? v : null;

    /// <summary>The version parsed, or null for <c>*</c> (or anything not semantic).</summary>
    public Versioning.SemVersion? Semantic => _semantic;

    /// <summary>The version has a pre-release part (not chosen unless asked for, as in ansible-galaxy).</summary>
    public bool IsPrerelease => _semantic?.IsPrerelease ?? false;

    /// <summary><c>name:version</c>.</summary>
    public override string ToString() => $"{Name}:{Version}";

    /// <summary><c>name:version</c> with where it comes from (server, installed, location), for messages.</summary>
    public string Describe() => Kind switch
    {
        CandidateKind.Galaxy => $"{this} from {Server?.Settings.Name}",
        CandidateKind.Installed => $"{this} (installed)",
        _ => $"{this} from {Location}",
    };

    /// <summary>The kind of candidate a requirement of <paramref name="type"/> yields.</summary>
    public static CandidateKind KindOf(RequirementType type) => type switch
    {
        RequirementType.File => CandidateKind.File,
        RequirementType.Url => CandidateKind.Url,
        RequirementType.Dir => CandidateKind.Dir,
        _ => CandidateKind.Galaxy,
    };
}
