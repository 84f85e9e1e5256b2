namespace Anvil.Server;

/// <summary>Settings of the records server, bound from configuration section <c>Records</c>
/// (<c>appsettings.json</c>, or environment variables such as <c>Records__WriteLoginRequired=true</c>).</summary>
public sealed class RecordsServerOptions
{
    public const string Section = "Records";

    /// <summary>The database: empty for the default SQLite file (<c>ANVIL_DATABASE</c> when set, else
    /// <c>$ANVIL_HOME/anvil.db</c>), a PostgreSQL URL or key-value string, or a SQLite path. Default: empty.</summary>
    public string? Database { get; set; }

    /// <summary>Require a user for GET, HEAD and OPTIONS (ARA's <c>READ_LOGIN_REQUIRED</c>). Default: false.</summary>
    public bool ReadLoginRequired { get; set; }

    /// <summary>Require a user for POST, PUT, PATCH and DELETE (ARA's <c>WRITE_LOGIN_REQUIRED</c>). Default: false.</summary>
    public bool WriteLoginRequired { get; set; }

    /// <summary>Default page size of list endpoints (ARA's <c>PAGE_SIZE</c>). Default: 100.</summary>
    public int PageSize { get; set; } = 100;

    /// <summary>Largest page a client may ask for with <c>limit</c> (ARA has no cap). Default: 1000.</summary>
    public int MaxPageSize { get; set; } = 1000;

    /// <summary>Largest request body accepted; larger ones get 413. Default: 32 MiB.</summary>
    public long MaxRequestBodyBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>How long a verified user name and password is trusted without hashing it again. Default: 5 minutes.</summary>
    public TimeSpan CredentialCacheDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Memory for answers to reads, kept until the database changes (SQLite only). 0 turns the cache off.
    /// Default: 64.</summary>
    public int ResponseCacheMegabytes { get; set; } = 64;

    /// <summary>Delete playbooks (with everything under them) started more than this many days ago, as ARA's
    /// <c>playbook prune --days</c> does, every <see cref="RetentionInterval"/>. 0 keeps everything. Default: 0.</summary>
    public int PruneDays { get; set; }

    /// <summary>Mark as <c>expired</c> playbooks still <c>running</c> with no sign of life for this long (the run's
    /// controller died or lost the server): ARA's <c>expire</c>, done on schedule. <see cref="TimeSpan.Zero"/> turns it
    /// off. Default: 1 day, ARA's <c>expire --hours 24</c>.</summary>
    public TimeSpan ExpireRunningAfter { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How often the retention sweep (<see cref="PruneDays"/>, <see cref="ExpireRunningAfter"/>) runs; the
    /// first sweep runs when the server starts. Default: 1 hour.</summary>
    public TimeSpan RetentionInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The first setting that is out of range, as a message naming it; null when all are valid.</summary>
    internal string? Problem() =>
        PageSize < 1 ? $"{Section}:PageSize must be at least 1 (got {PageSize})"
        : MaxPageSize < PageSize ? $"{Section}:MaxPageSize must be at least PageSize ({PageSize}; got {MaxPageSize})"
        : MaxRequestBodyBytes < 1 ? $"{Section}:MaxRequestBodyBytes must be at least 1 (got {MaxRequestBodyBytes})"
        : ResponseCacheMegabytes < 0 ? $"{Section}:ResponseCacheMegabytes must not be negative (got {ResponseCacheMegabytes})"
        : CredentialCacheDuration < TimeSpan.Zero ? $"{Section}:CredentialCacheDuration must not be negative"
        : PruneDays is < 0 or > 36500 ? $"{Section}:PruneDays must be between 0 (off) and 36500 (got {PruneDays})"
        : ExpireRunningAfter < TimeSpan.Zero ? $"{Section}:ExpireRunningAfter must not be negative (00:00:00 turns expiry off)"
        : RetentionInterval <= TimeSpan.Zero ? $"{Section}:RetentionInterval must be positive (got {RetentionInterval})"
        : null;
}
