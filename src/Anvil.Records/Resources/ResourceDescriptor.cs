namespace Anvil.Records.Resources;

/// <summary>What a filter's value is, which decides how it is read (and what the CLI and OpenAPI call it).</summary>
public enum FilterKind
{
    /// <summary>Free text.</summary>
    String,

    /// <summary>The id of a related object.</summary>
    Id,

    /// <summary>A number compared with an integer column.</summary>
    Number,

    /// <summary>A UUID.</summary>
    Uuid,

    /// <summary>One of a fixed set of statuses (<see cref="RecordFilter.Choices"/>); repeatable, any of them matches.</summary>
    Status,

    /// <summary>A date/time.</summary>
    Date,

    /// <summary><c>true</c> or <c>false</c>.</summary>
    Bool,
}

/// <summary>How a filter compares its value with the column (django-filter's lookups, as ARA declares them).</summary>
public enum FilterMatch
{
    /// <summary>Case-insensitive substring (<c>icontains</c>).</summary>
    Contains,

    /// <summary>Case-insensitive equality (<c>iexact</c>).</summary>
    IExact,

    /// <summary>Equality.</summary>
    Exact,

    /// <summary>Greater than (<c>gt</c>).</summary>
    GreaterThan,

    /// <summary>Less than (<c>lt</c>).</summary>
    LessThan,

    /// <summary>At or before (<c>lte</c>).</summary>
    Before,

    /// <summary>At or after (<c>gte</c>).</summary>
    After,

    /// <summary>Any of the given values (a multiple choice).</summary>
    AnyOf,
}

/// <summary>
/// One query parameter that narrows a list: its name, kind and comparison as ARA 1.7.4 has them, and a short
/// description (what the OpenAPI document and the CLI's help say). The SQL it produces is the column it compares,
/// optionally inside <see cref="Within"/>, a condition with <c>{0}</c> where the comparison goes (a subquery).
/// </summary>
public sealed record RecordFilter(string Name, FilterKind Kind, FilterMatch Match, string Description)
{
    /// <summary>The valid values of a <see cref="FilterKind.Status"/> filter.</summary>
    public IReadOnlyList<string> Choices { get; init; } = [];

    /// <summary>The SQL expression compared, on the list query's table alias.</summary>
    internal string Column { get; init; } = "";

    /// <summary>A condition around the comparison, <c>{0}</c> standing for it; null: the comparison alone.</summary>
    internal string? Within { get; init; }
}

/// <summary>A sort key a resource allows in <c>order</c> (<c>-name</c> for descending): its SQL expression, and
/// whether it can be NULL (then NULLs sort as PostgreSQL sorts them, on either database).</summary>
public sealed record RecordOrder(string Name)
{
    internal string Sql { get; init; } = "";

    internal bool Nullable { get; init; }
}

/// <summary>
/// One resource of the ARA-compatible records API, stated once: its filters (in ARA's declaration order, which is
/// the order they are applied and their errors reported in), its <c>order</c> fields, its statuses and the fields
/// of a list item. The API's query parsing, the OpenAPI document, the CLI's list commands and the web UI's filters
/// all read it. The catalogue is <see cref="RecordsResources"/>.
/// </summary>
/// <param name="Name">The URL segment (<c>playbooks</c>).</param>
/// <param name="Noun">One object, as messages say it (<c>playbook</c>).</param>
/// <param name="Title">DRF's view name (<c>Playbook</c>, in "Playbook List").</param>
/// <param name="Summary">What the resource holds, for the OpenAPI document.</param>
/// <param name="Key">The detail's path parameter (<c>id</c>; <c>name</c> for latest hosts).</param>
/// <param name="ReadOnly">No writes (latest hosts).</param>
/// <param name="Filters">The list filters, in ARA's declaration order.</param>
/// <param name="Orders">What <c>order</c> accepts.</param>
/// <param name="Statuses">The values of the <c>status</c> field as shown; empty when there is none.</param>
/// <param name="Fields">The fields of a list item, in the order they are written.</param>
public sealed record ResourceDescriptor(string Name, string Noun, string Title, string Summary, string Key, bool ReadOnly,
    IReadOnlyList<RecordFilter> Filters, IReadOnlyList<RecordOrder> Orders, IReadOnlyList<string> Statuses, IReadOnlyList<string> Fields)
{
    /// <summary>The ORDER BY of a list without <c>order</c> (ARA's default ordering).</summary>
    internal string DefaultOrderSql { get; init; } = "";

    /// <summary>The id column: ties are broken by it.</summary>
    internal string IdSql { get; init; } = "";

    /// <summary>The <c>status</c> filter's choices (the stored statuses); empty when there is none.</summary>
    public IReadOnlyList<string> StatusChoices => Filters.FirstOrDefault(f => f.Kind == FilterKind.Status)?.Choices ?? [];
}
