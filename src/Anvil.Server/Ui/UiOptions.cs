namespace Anvil.Server.Ui;

/// <summary>Settings of the web UI, bound from configuration section <c>Ui</c> (e.g. <c>Ui__PageSize=100</c>).</summary>
public sealed class UiOptions
{
    public const string Section = "Ui";

    /// <summary>Playbooks per page of the playbook list. Default: 50.</summary>
    public int PageSize { get; set; } = 50;

    /// <summary>Results per page on playbook and host pages (and tasks per page). Default: 100.</summary>
    public int ResultsPageSize { get; set; } = 100;

    /// <summary>Largest page a <c>limit</c> may ask for. Default: 500.</summary>
    public int MaxPageSize { get; set; } = 500;

    /// <summary>Console events per page of a run's output. Default: 2000.</summary>
    public int ConsolePageSize { get; set; } = 2000;

    /// <summary>How often live pages check for changes. Default: 1 second.</summary>
    public TimeSpan LiveInterval { get; set; } = TimeSpan.FromSeconds(1);

    internal string? Problem() =>
        PageSize < 1 ? $"{Section}:PageSize must be at least 1 (got {PageSize})"
        : ResultsPageSize < 1 ? $"{Section}:ResultsPageSize must be at least 1 (got {ResultsPageSize})"
        : MaxPageSize < Math.Max(PageSize, ResultsPageSize) ? $"{Section}:MaxPageSize must be at least PageSize and ResultsPageSize (got {MaxPageSize})"
        : ConsolePageSize < 1 ? $"{Section}:ConsolePageSize must be at least 1 (got {ConsolePageSize})"
        : LiveInterval < TimeSpan.FromMilliseconds(50) ? $"{Section}:LiveInterval must be at least 50 ms"
        : null;
}
