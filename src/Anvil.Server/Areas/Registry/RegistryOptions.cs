namespace Anvil.Server.Registry;

/// <summary>Settings of the collection registry (the Galaxy v3 API), bound from configuration section <c>Galaxy</c>
/// (<c>appsettings.json</c>, or environment variables such as <c>Galaxy__ReadLoginRequired=true</c>).</summary>
public sealed class RegistryOptions
{
    public const string Section = "Galaxy";

    /// <summary>Where artifacts are stored. Default: <c>$ANVIL_HOME/registry/artifacts</c>.</summary>
    public string? ArtifactsPath { get; set; }

    /// <summary>Require a user (token or Basic) to read collections and download artifacts. Discovery
    /// (<c>/api/galaxy/</c>) stays anonymous, as ansible-galaxy needs. Default: false (reading is public).</summary>
    public bool ReadLoginRequired { get; set; }

    /// <summary>Largest artifact accepted by a publish (decoded size). Default: 256 MiB.</summary>
    public long MaxUploadBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Default page size of the list endpoints (ansible-galaxy always asks for 100). Default: 100.</summary>
    public int PageSize { get; set; } = 100;

    /// <summary>Largest page a client may ask for with <c>limit</c>. Default: 100 (as Galaxy servers).</summary>
    public int MaxPageSize { get; set; } = 100;

    /// <summary>The first setting that is out of range, as a message naming it; null when all are valid.</summary>
    internal string? Problem() =>
        MaxUploadBytes < 1 ? $"{Section}:MaxUploadBytes must be at least 1 (got {MaxUploadBytes})"
        : PageSize < 1 ? $"{Section}:PageSize must be at least 1 (got {PageSize})"
        : MaxPageSize < 1 ? $"{Section}:MaxPageSize must be at least 1 (got {MaxPageSize})"
        : null;
}
