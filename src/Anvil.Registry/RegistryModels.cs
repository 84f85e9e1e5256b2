namespace Anvil.Registry;

/// <summary>A namespace of the registry: who owns it (may upload to it) and how many collections it holds.</summary>
public sealed record RegistryNamespace(
    string Name,
    string? Description,
    IReadOnlyList<string> Owners,
    long CollectionCount,
    DateTimeOffset Created);

/// <summary>A collection as listed: its latest version (highest SemVer; a pre-release only when there is nothing
/// else) and when a version was last added (<see cref="Updated"/>, what ansible-galaxy's cache keys on).</summary>
public sealed record CollectionSummary(
    string Namespace,
    string Name,
    string? LatestVersion,
    string? Description,
    long VersionCount,
    DateTimeOffset Created,
    DateTimeOffset Updated)
{
    public string FullName => $"{Namespace}.{Name}";
}

/// <summary>One version as listed.</summary>
public sealed record VersionSummary(
    string Version,
    bool IsPrerelease,
    string Sha256,
    long Size,
    string? Uploader,
    DateTimeOffset Created,
    string? RequiresAnsible = null);

/// <summary>One version with everything the API and the UI show.</summary>
public sealed record CollectionVersion
{
    public required string Namespace { get; init; }

    public required string Name { get; init; }

    public required string Version { get; init; }

    public bool IsPrerelease { get; init; }

    /// <summary><c>NAMESPACE-NAME-VERSION.tar.gz</c>.</summary>
    public required string Filename { get; init; }

    /// <summary>The artifact file, relative to the artifacts folder (<see cref="RegistryStore.ArtifactPath"/>).</summary>
    public required string RelativePath { get; init; }

    public required string Sha256 { get; init; }

    public long Size { get; init; }

    /// <summary>MANIFEST.json's <c>collection_info</c>, as JSON text (dependencies included).</summary>
    public required string MetadataJson { get; init; }

    /// <summary>What the collection holds: a JSON list of <c>{"name", "content_type"}</c> (modules, roles, …).</summary>
    public string ContentsJson { get; init; } = "[]";

    /// <summary><c>requires_ansible</c> from <c>meta/runtime.yml</c>, if any.</summary>
    public string? RequiresAnsible { get; init; }

    /// <summary>The README's text (Markdown), if the artifact has one.</summary>
    public string? Readme { get; init; }

    public string? Uploader { get; init; }

    /// <summary>The import that brought this version in.</summary>
    public string? ImportId { get; init; }

    public DateTimeOffset Created { get; init; }

    public string FullName => $"{Namespace}.{Name}";
}

/// <summary>A collection with its latest version's detail (null only while it has no version).</summary>
public sealed record CollectionDetail(CollectionSummary Collection, CollectionVersion? Latest);

/// <summary>One page of a list and the total count over all pages.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, long Count, int Offset, int Limit);

/// <summary>The states of an import, as pulp's task states.</summary>
public static class ImportState
{
    public const string Waiting = "waiting";
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Failed = "failed";
}

/// <summary>One line of an import's log. <see cref="Level"/> is INFO, WARNING or ERROR.</summary>
public sealed record ImportMessage(string Level, string Message, DateTimeOffset Time)
{
    public const string Info = "INFO";
    public const string Warning = "WARNING";
    public const string Error = "ERROR";
}

/// <summary>An upload's import: its state, who sent what, its log and, when it failed, why.</summary>
public sealed record ImportRecord
{
    public required string Id { get; init; }

    public required string State { get; init; }

    public required string User { get; init; }

    public required string Filename { get; init; }

    public string? Namespace { get; init; }

    public string? Name { get; init; }

    public string? Version { get; init; }

    public DateTimeOffset Created { get; init; }

    public DateTimeOffset Updated { get; init; }

    public DateTimeOffset? Started { get; init; }

    public DateTimeOffset? Finished { get; init; }

    public string? ErrorCode { get; init; }

    public string? ErrorDescription { get; init; }

    public IReadOnlyList<ImportMessage> Messages { get; init; } = [];
}

/// <summary>What a successful import adds: the version's data; the artifact file itself is handed over apart.</summary>
public sealed record NewVersion
{
    public required string Namespace { get; init; }

    public required string Name { get; init; }

    public required string Version { get; init; }

    public required string Sha256 { get; init; }

    public required long Size { get; init; }

    /// <summary>MANIFEST.json's <c>collection_info</c> as JSON text.</summary>
    public required string MetadataJson { get; init; }

    public string ContentsJson { get; init; } = "[]";

    public string? Description { get; init; }

    public string? RequiresAnsible { get; init; }

    public string? Readme { get; init; }

    public string? Uploader { get; init; }

    public string? ImportId { get; init; }

    public string Filename => $"{Namespace}-{Name}-{Version}.tar.gz";
}

/// <summary>Why a registry operation was refused.</summary>
public enum RegistryError
{
    /// <summary>No such namespace, collection, version, user or token.</summary>
    NotFound,

    /// <summary>It exists already (a version can never be replaced).</summary>
    Conflict,

    /// <summary>The user may not do this (not an owner of the namespace).</summary>
    Forbidden,

    /// <summary>The input breaks a rule (a namespace name, …).</summary>
    Invalid,
}

/// <summary>A registry operation refused for a reason the caller can fix; the message says which, in one line.</summary>
public sealed class RegistryException(RegistryError error, string message) : Exception(message)
{
    public RegistryError Error { get; } = error;
}
