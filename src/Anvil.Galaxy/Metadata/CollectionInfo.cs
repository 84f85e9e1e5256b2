namespace Anvil.Galaxy.Metadata;

/// <summary>
/// A collection's metadata: the <c>collection_info</c> of MANIFEST.json, whose 14 keys and their order ansible-galaxy
/// fixes. <see cref="Dependencies"/> keeps the order of galaxy.yml.
/// </summary>
public sealed record CollectionInfo
{
    public required string Namespace { get; init; }

    public required string Name { get; init; }

    /// <summary>The version; <c>*</c> only for a source tree without one (never in a built artifact).</summary>
    public required string Version { get; init; }

    public IReadOnlyList<string> Authors { get; init; } = [];

    public string? Readme { get; init; }

    public IReadOnlyList<string> Tags { get; init; } = [];

    public string? Description { get; init; }

    public IReadOnlyList<string> License { get; init; } = [];

    public string? LicenseFile { get; init; }

    public IReadOnlyList<KeyValuePair<string, string>> Dependencies { get; init; } = [];

    public string? Repository { get; init; }

    public string? Documentation { get; init; }

    public string? Homepage { get; init; }

    public string? Issues { get; init; }

    public CollectionName FullName => new(Namespace, Name);

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
    public override string ToString() =>
        Field.Length == 0
            ? $"{File}{(Line > 0 ? $":{Line}" : "")}: {Message}"
            : $"{File}{(Line > 0 ? $":{Line}" : "")}: {Field}: {Message}";
}

/// <summary>A metadata file that cannot be used; <see cref="Problems"/> has one entry per problem.</summary>
public sealed class MetadataException(IReadOnlyList<MetadataProblem> problems)
    : GalaxyException(string.Join(Environment.NewLine, problems))
{
    public MetadataException(MetadataProblem problem) : this([problem])
    {
    }

    public IReadOnlyList<MetadataProblem> Problems { get; } = problems;
}
