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
    /// <summary><c>NAMESPACE.NAME</c>, as ansible-galaxy names a collection.</summary>
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
    /// <summary>The namespace the collection belongs to.</summary>
    public required string Namespace { get; init; }

    /// <summary>The collection's name within <see cref="Namespace"/>.</summary>
    public required string Name { get; init; }

    /// <summary>The version (SemVer).</summary>
    public required string Version { get; init; }

    /// <summary>Whether <see cref="Version"/> has a pre-release part (<c>1.0.0-beta.1</c>); ansible-galaxy skips such versions unless asked for them (<c>--pre</c>).</summary>
    public bool IsPrerelease { get; init; }

    /// <summary><c>NAMESPACE-NAME-VERSION.tar.gz</c>.</summary>
    public required string Filename { get; init; }

    /// <summary>The artifact file, relative to the artifacts folder (<see cref="RegistryStore.ArtifactPath"/>).</summary>
    public required string RelativePath { get; init; }

    /// <summary>The artifact's SHA-256 in lower-case hex, which ansible-galaxy checks after downloading.</summary>
    public required string Sha256 { get; init; }

    /// <summary>The artifact's size in bytes.</summary>
    public long Size { get; init; }

    /// <summary>MANIFEST.json's <c>collection_info</c>, as JSON text (dependencies included).</summary>
    public required string MetadataJson { get; init; }

    /// <summary>What the collection holds: a JSON list of <c>{"name", "content_type"}</c> (modules, roles, …).</summary>
    public string ContentsJson { get; init; } = "[]";

    /// <summary><c>requires_ansible</c> from <c>meta/runtime.yml</c>, if any.</summary>
    public string? RequiresAnsible { get; init; }

    /// <summary>The README's text (Markdown), if the artifact has one.</summary>
    public string? Readme { get; init; }

    /// <summary>The user who uploaded the version, when known.</summary>
    public string? Uploader { get; init; }

    /// <summary>The import that brought this version in.</summary>
    public string? ImportId { get; init; }

    /// <summary>When the version was added.</summary>
    public DateTimeOffset Created { get; init; }

    /// <summary><c>NAMESPACE.NAME</c>, as ansible-galaxy names a collection.</summary>
    public string FullName => $"{Namespace}.{Name}";
}

/// <summary>A collection with its latest version's detail (null only while it has no version).</summary>
public sealed record CollectionDetail(CollectionSummary Collection, CollectionVersion? Latest);


/// <summary>The states of an import, as pulp's task states.</summary>
public static class ImportState
{
    /// <summary>Accepted, queued behind other imports.</summary>
    public const string Waiting = "waiting";
    /// <summary>Being checked.</summary>
    public const string Running = "running";
    /// <summary>Checked and published.</summary>
    public const string Completed = "completed";
    /// <summary>Refused, or interrupted (the log says why).</summary>
    public const string Failed = "failed";
}

/// <summary>One line of an import's log. <see cref="Level"/> is INFO, WARNING or ERROR.</summary>
public sealed record ImportMessage(string Level, string Message, DateTimeOffset Time)
{
    /// <summary>Progress.</summary>
    public const string Info = "INFO";
    /// <summary>Something to fix that did not stop the import.</summary>
    public const string Warning = "WARNING";
    /// <summary>Why the import failed.</summary>
    public const string Error = "ERROR";
}

/// <summary>An upload's import: its state, who sent what, its log and, when it failed, why.</summary>
public sealed record ImportRecord
{
    /// <summary>The import's id (Galaxy's task id, which the upload's response names).</summary>
    public required string Id { get; init; }

    /// <summary>One of <see cref="ImportState"/>'s values.</summary>
    public required string State { get; init; }

    /// <summary>Who uploaded the artifact.</summary>
    public required string User { get; init; }

    /// <summary>The artifact's file name as uploaded.</summary>
    public required string Filename { get; init; }

    /// <summary>The collection's namespace, once the import has read its manifest.</summary>
    public string? Namespace { get; init; }

    /// <summary>The collection's name, once the import has read its manifest.</summary>
    public string? Name { get; init; }

    /// <summary>The collection's version, once the import has read its manifest.</summary>
    public string? Version { get; init; }

    /// <summary>When the upload was accepted.</summary>
    public DateTimeOffset Created { get; init; }

    /// <summary>When the state or the log last changed.</summary>
    public DateTimeOffset Updated { get; init; }

    /// <summary>When the checks began; null while waiting.</summary>
    public DateTimeOffset? Started { get; init; }

    /// <summary>When the import completed or failed; null until then.</summary>
    public DateTimeOffset? Finished { get; init; }

    /// <summary>Galaxy's error code of a failed import (<c>ImporterError</c>).</summary>
    public string? ErrorCode { get; init; }

    /// <summary>Why the import failed, in one line.</summary>
    public string? ErrorDescription { get; init; }

    /// <summary>The import's log, oldest first.</summary>
    public IReadOnlyList<ImportMessage> Messages { get; init; } = [];
}

/// <summary>What a successful import adds: the version's data; the artifact file itself is handed over apart.</summary>
public sealed record NewVersion
{
    /// <summary>The namespace (must exist, and the uploader must own it).</summary>
    public required string Namespace { get; init; }

    /// <summary>The collection's name; the collection is created with its first version.</summary>
    public required string Name { get; init; }

    /// <summary>The version (SemVer); a version already there is a conflict.</summary>
    public required string Version { get; init; }

    /// <summary>The artifact's SHA-256 in lower-case hex.</summary>
    public required string Sha256 { get; init; }

    /// <summary>The artifact's size in bytes.</summary>
    public required long Size { get; init; }

    /// <summary>MANIFEST.json's <c>collection_info</c> as JSON text.</summary>
    public required string MetadataJson { get; init; }

    /// <summary>What the collection holds, as <see cref="CollectionVersion.ContentsJson"/>.</summary>
    public string ContentsJson { get; init; } = "[]";

    /// <summary>The manifest's description, shown in lists.</summary>
    public string? Description { get; init; }

    /// <summary><c>requires_ansible</c> from <c>meta/runtime.yml</c>, if any.</summary>
    public string? RequiresAnsible { get; init; }

    /// <summary>The README's text (Markdown), if the artifact has one.</summary>
    public string? Readme { get; init; }

    /// <summary>The user who uploaded it.</summary>
    public string? Uploader { get; init; }

    /// <summary>The import that checked it (<see cref="ImportRecord.Id"/>).</summary>
    public string? ImportId { get; init; }

    /// <summary><c>NAMESPACE-NAME-VERSION.tar.gz</c>, the artifact's name in the registry.</summary>
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
    /// <summary>The kind of refusal (the server answers each with its own HTTP status).</summary>
    public RegistryError Error { get; } = error;
}
