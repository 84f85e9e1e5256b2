namespace Anvil.Records.Api;

/// <summary>Settings of the records API (the server binds them from configuration section <c>Records</c>).</summary>
public sealed record RecordsApiOptions
{
    /// <summary>Default page size of list endpoints (ARA_PAGE_SIZE). Default: 100.</summary>
    public int PageSize { get; init; } = 100;

    /// <summary>Largest <c>limit</c> honoured; ARA has none, so one request could ask for millions of rows.
    /// Larger values are clamped. Default: 1000.</summary>
    public int MaxPageSize { get; init; } = 1000;

    /// <summary>What <c>server_version</c> and <c>/api/</c> report. Default: the ARA version Anvil is compatible with.</summary>
    public string ServerVersion { get; init; } = "1.7.4";

    /// <summary>Memory for answers to reads, kept until the database changes (SQLite only: it says cheaply when
    /// anything was committed; PostgreSQL reads are never cached). 0 turns the cache off. Default: 64 MiB.</summary>
    public long ResponseCacheBytes { get; init; } = 64L * 1024 * 1024;
}
