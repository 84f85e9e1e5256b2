namespace Anvil.Galaxy.Metadata;

/// <summary>
/// A collection's metadata: the <c>collection_info</c> of MANIFEST.json, whose 14 keys and their order ansible-galaxy
/// fixes. <see cref="Dependencies"/> keeps the order of galaxy.yml.
/// </summary>
public sealed record CollectionInfo
{
    /// <summary>galaxy.yml <c>namespace</c>.</summary>
    public required string Namespace { get; init; }

    /// <summary>galaxy.yml <c>name</c>.</summary>
    public required string Name { get; init; }

    /// <summary>The version; <c>*</c> only for a source tree without one (never in a built artifact).</summary>
    public required string Version { get; init; }

    /// <summary>galaxy.yml <c>authors</c>.</summary>
    public IReadOnlyList<string> Authors { get; init; } = [];

    /// <summary>galaxy.yml <c>readme</c>: path of the README, relative to the collection.</summary>
    public string? Readme { get; init; }

    /// <summary>galaxy.yml <c>tags</c>.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>galaxy.yml <c>description</c>.</summary>
    public string? Description { get; init; }

    /// <summary>galaxy.yml <c>license</c>: SPDX identifiers.</summary>
    public IReadOnlyList<string> License { get; init; } = [];

    /// <summary>galaxy.yml <c>license_file</c>, when the license is not an SPDX identifier.</summary>
    public string? LicenseFile { get; init; }

    /// <summary>galaxy.yml <c>dependencies</c>: collection name to version range, in file order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Dependencies { get; init; } = [];

    /// <summary>galaxy.yml <c>repository</c> URL.</summary>
    public string? Repository { get; init; }

    /// <summary>galaxy.yml <c>documentation</c> URL.</summary>
    public string? Documentation { get; init; }

    /// <summary>galaxy.yml <c>homepage</c> URL.</summary>
    public string? Homepage { get; init; }

    /// <summary>galaxy.yml <c>issues</c> URL.</summary>
    public string? Issues { get; init; }

    /// <summary><see cref="Namespace"/> and <see cref="Name"/> as one name.</summary>
    public CollectionName FullName => new(Namespace, Name);

    /// <summary><c>namespace.name:version</c>.</summary>
    public override string ToString() => $"{Namespace}.{Name}:{Version}";
}

/// <summary><c>manifest:</c> of galaxy.yml: MANIFEST.in directives that choose the files of a build.</summary>
public sealed record ManifestControl(IReadOnlyList<string> Directives, bool OmitDefaultDirectives);

/// <summary>A collection source tree's galaxy.yml, read and checked.</summary>
public sealed record GalaxyYml(
    string Path,
    CollectionInfo Info,
    IReadOnlyList<string> BuildIgnore,
    ManifestControl? Manifest,
    IReadOnlyList<string> Warnings);

/// <summary>One problem found in a metadata file: the file, the field (dotted path) and what is wrong.</summary>
public sealed record MetadataProblem(string File, string Field, string Message, int Line = 0)
{
    /// <summary>One line naming the file, line and field, then the cause.</summary>
    public override string ToString() =>
        Field.Length == 0
            ? $"{File}{(Line > 0 ? $":{Line}" : "")}: {Message}"
            : $"{File}{(Line > 0 ? $":{Line}" : "")}: {Field}: {Message}";
}

/// <summary>A metadata file that cannot be used; <see cref="Problems"/> has one entry per problem.</summary>
public sealed class MetadataException(IReadOnlyList<MetadataProblem> problems)
    : GalaxyException(string.Join(Environment.NewLine, problems))
{
    /// <summary>A failure with a single problem.</summary>
    public MetadataException(MetadataProblem problem) : this([problem])
    {
    }

    /// <summary>Every problem found, in file order.</summary>
    public IReadOnlyList<MetadataProblem> Problems { get; } = problems;
}
