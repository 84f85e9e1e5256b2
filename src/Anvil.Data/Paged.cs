namespace Anvil.Data;

/// <summary>
/// One page of a longer list, as every part that stores something returns it (the records' views, the registry's
/// store): the rows, how many there are in all, and the page's size and start. One type with one field order, so
/// that the UI's pager and every caller read pages the same way.
/// </summary>
/// <param name="Items">The rows of this page.</param>
/// <param name="Total">How many rows the whole list has.</param>
/// <param name="Limit">The page size asked for (at least 1 where a pager divides by it).</param>
/// <param name="Offset">How many rows come before this page.</param>
public sealed record Paged<T>(IReadOnlyList<T> Items, long Total, int Limit, long Offset);
