using Anvil.Data;
using Anvil.Galaxy.Versioning;
using Anvil.Registry;
using Anvil.Server.Ui;
using Anvil.Server.Ui.Html;
using Anvil.Server.Registry;

namespace Anvil.Server.Pages.Registry;

/// <summary><c>/collections/{ns}/{name}</c> (the latest version) and <c>/collections/{ns}/{name}/{version}</c>: a
/// collection version's install commands, metadata, dependencies (linked when hosted here), contents, README, and
/// the collection's versions, newest first.</summary>
public sealed class CollectionModel : RegistryPage
{
    public CollectionSummary Collection { get; private set; } = null!;

    /// <summary>The version shown: the one in the address, else the latest.</summary>
    public CollectionVersion Version { get; private set; } = null!;

    public CollectionMetadata Metadata { get; private set; } = null!;

    public IReadOnlyList<ContentEntry> Contents { get; private set; } = [];

    /// <summary>The dependencies this registry hosts (<c>namespace.name</c>).</summary>
    public IReadOnlySet<string> Hosted { get; private set; } = new HashSet<string>();

    public Paged<VersionSummary> Versions { get; private set; } = new([], 0, 1, 0);

    /// <summary>The README as safe HTML, or null when the artifact has none.</summary>
    public Microsoft.AspNetCore.Html.IHtmlContent? ReadmeHtml { get; private set; }

    /// <summary>Whether the reader may open the import that brought this version in (its uploader, or an admin).</summary>
    public bool CanSeeImport { get; private set; }

    public bool IsLatest => Version.Version == Collection.LatestVersion;

    /// <summary>Whether the collection's latest is a pre-release: it has no release yet.</summary>
    public bool LatestIsPrerelease => Collection.LatestVersion is { } l && IsPrerelease(l);

    public async Task OnGetAsync(string ns, string name, string? version, CancellationToken ct)
    {
        if (await Store.GetCollectionAsync(ns, name, ct) is not { Latest: { } latest } detail)
        {
            NotFoundPage($"There is no collection {ns}.{name}.");
            return;
        }
        Collection = detail.Collection;
        if (version is null || version == latest.Version)
        {
            Version = latest;
        }
        else if (await Store.GetVersionAsync(ns, name, version, ct) is { } other)
        {
            Version = other;
        }
        else
        {
            NotFoundPage($"There is no version {version} of {ns}.{name}.");
            return;
        }
        Metadata = CollectionMetadata.Parse(Version.MetadataJson);
        Contents = CollectionMetadata.ParseContents(Version.ContentsJson);
        if (Metadata.Dependencies.Count > 0)
        {
            Hosted = await RegistryViews.HostedAsync(Metadata.Dependencies.Select(d => d.Name), ct);
        }
        var (offset, limit) = Paging("versions_offset", "versions_page", Settings.ResultsPageSize);
        Versions = await Store.ListVersionsAsync(ns, name, offset, limit, ct) ?? new([], 0, limit, offset);
        ReadmeHtml = Version.Readme is { } readme ? MarkdownHtml.Content(readme) : null;
        CanSeeImport = Version.ImportId is not null && CurrentUser is { } user &&
                       (user == Version.Uploader || await Store.IsAdminAsync(user, ct));
        Title = $"{Version.FullName} {Version.Version}";
    }

    /// <summary><c>ns.name:version</c>, as both clients take it (a pinned version: pre-releases included).</summary>
    public string Requirement => $"{Version.FullName}:{Version.Version}";

    /// <summary>The token option when reading needs a user (the token file or <c>ansible.cfg</c> may hold it instead).</summary>
    public string TokenOption => Galaxy.ReadLoginRequired ? " --token TOKEN" : "";

    public static bool IsPrerelease(string version) => SemVersion.TryParse(version, out var v) && v.IsPrerelease;
}
