using System.Globalization;
using System.Text;
using Anvil.Records.Storage;
using Dapper;

namespace Anvil.Records.Api;

/// <summary>A sort key a resource allows in <c>order</c>: its SQL expression, and whether it can be NULL.</summary>
internal sealed record OrderField(string Name, string Sql, bool Nullable = false);

/// <summary>
/// The WHERE and ORDER BY of a list request, built from its query parameters the way django-filter reads them:
/// filters are applied in the resource's declaration order, invalid values are collected as field errors (all
/// answered at once), empty values and unknown parameters are ignored. Values only ever travel as SQL parameters.
/// </summary>
internal sealed class ListQuery(ApiRequest request, Db db)
{
    private readonly List<string> _where = [];
    private int _next;

    public DynamicParameters Args { get; } = new();

    public FieldErrors Errors { get; } = new();

    public string WhereSql => _where.Count == 0 ? "" : " WHERE " + string.Join(" AND ", _where);

    public string OrderSql { get; private set; } = "";

    /// <summary>Adds a parameter; returns its placeholder.</summary>
    public string Param(object? value)
    {
        var name = "f" + _next++.ToString(CultureInfo.InvariantCulture);
        Args.Add(name, value);
        return "@" + name;
    }

    public void Where(string condition) => _where.Add(condition);

    /// <summary>The (last) value of a parameter unless absent or empty. NUL characters are refused, as Django's form
    /// fields refuse them (PostgreSQL cannot store or compare them).</summary>
    public string? Text(string name)
    {
        if (request.Value(name) is not { Length: > 0 } v)
        {
            return null;
        }
        if (v.Contains('\0', StringComparison.Ordinal))
        {
            Errors.Add(name, WriteFields.NullCharacters);
            return null;
        }
        return v;
    }

    /// <summary><c>{name}_before</c> (≤) and <c>{name}_after</c> (≥) on a time column.</summary>
    /// <summary>The date filters every resource has: created and updated before/after.</summary>
    public void CommonDates(string alias)
    {
        Dates("created", alias + ".created");
        Dates("updated", alias + ".updated");
    }

    /// <summary>The date filters of resources with a duration: created, updated, started, ended.</summary>
    public void DurationDates(string alias)
    {
        CommonDates(alias);
        Dates("started", alias + ".started");
        Dates("ended", alias + ".ended");
    }

    public void Dates(string name, string column)
    {
        Date(name + "_before", column, "<=");
        Date(name + "_after", column, ">=");
    }

    private void Date(string param, string column, string op)
    {
        if (Text(param) is not { } text)
        {
            return;
        }
        if (Clock.Parse(text) is { } micros)
        {
            Where($"{column} {op} {Param(micros)}");
        }
        else
        {
            Errors.Add(param, "Enter a valid date/time.");
        }
    }

    /// <summary>A number compared with an integer column (django-filter's NumberFilter reads a decimal).
    /// <paramref name="wrap"/> puts the comparison inside a larger condition (a subquery).</summary>
    public void Number(string param, string column, string op = "=", Func<string, string>? wrap = null)
    {
        if (Text(param) is not { } text)
        {
            return;
        }
        var s = text.Trim();
        double value;
        var exact = decimal.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d);
        if (exact)
        {
            value = (double)d;
        }
        else if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value) || !double.IsFinite(value))
        {
            Errors.Add(param, "Enter a number.");
            return;
        }
        switch (op)
        {
            case "=":
                if (Math.Floor(value) != value || value > long.MaxValue || value < long.MinValue)
                {
                    Where("1 = 0"); // an integer column never equals 1.5
                }
                else
                {
                    Where(Wrap($"{column} = {Param(exact ? decimal.ToInt64(d) : (long)value)}"));
                }
                break;
            case ">":
                // x > 1.5 is x > 1 for integers.
                Where(value >= long.MaxValue ? "1 = 0" : value < long.MinValue ? "1 = 1" : Wrap($"{column} > {Param((long)Math.Floor(value))}"));
                break;
            default:
                Where(value <= long.MinValue ? "1 = 0" : value > long.MaxValue ? "1 = 1" : Wrap($"{column} < {Param((long)Math.Ceiling(value))}"));
                break;
        }

        string Wrap(string comparison) => wrap is null ? comparison : wrap(comparison);
    }

    /// <summary>Case-insensitive substring (Django's <c>icontains</c>); LIKE wildcards in the value are escaped.</summary>
    public void Contains(string param, string column)
    {
        if (Text(param) is { } text)
        {
            Where(ContainsSql(column, text));
        }
    }

    public string ContainsSql(string column, string text) =>
        $"lower({column}) LIKE lower({Param("%" + SqlSession.EscapeLike(text) + "%")}) ESCAPE '\\'";

    /// <summary>Case-insensitive equality (Django's <c>iexact</c>).</summary>
    public void IExact(string param, string column)
    {
        if (Text(param) is { } text)
        {
            Where($"lower({column}) = lower({Param(text)})");
        }
    }

    public void Exact(string param, string column)
    {
        if (Text(param) is { } text)
        {
            Where($"{column} = {Param(text)}");
        }
    }

    /// <summary><c>true</c>/<c>false</c> in any case; other values are ignored, as django-filter does.</summary>
    public void Bool(string param, string column)
    {
        switch (Text(param)?.ToLowerInvariant())
        {
            case "true":
                Where($"{column} = {Param(true)}");
                break;
            case "false":
                Where($"{column} = {Param(false)}");
                break;
        }
    }

    /// <summary>A multi-valued choice (<c>status=a&amp;status=b</c> is OR); each value must be a valid choice.</summary>
    public void Choices(string param, string column, IReadOnlyList<string> choices)
    {
        var values = request.Values(param).ToList();
        if (values.Exists(v => v.Contains('\0', StringComparison.Ordinal)))
        {
            Errors.Add(param, WriteFields.NullCharacters);
            return;
        }
        if (values.Count == 0)
        {
            return;
        }
        if (values.FirstOrDefault(v => !choices.Contains(v)) is { } bad)
        {
            Errors.Add(param, $"Select a valid choice. {bad} is not one of the available choices.");
            return;
        }
        Where($"{column} IN ({string.Join(", ", values.Distinct(StringComparer.Ordinal).Select(v => Param(v)))})");
    }

    public void Uuid(string param, string column)
    {
        if (Text(param) is not { } text)
        {
            return;
        }
        if (JsonText.ParseUuid(text.Trim()) is { } uuid)
        {
            Where($"{column} = {Param(uuid)}");
        }
        else
        {
            Errors.Add(param, "Enter a valid UUID.");
        }
    }

    /// <summary>
    /// <c>order=field</c>, <c>order=-field</c> or a comma list, from the allowed fields; else the default. Ties are
    /// broken by id in the direction of the last key, so pages never overlap (and SQLite can walk one index).
    /// </summary>
    public void Order(IReadOnlyList<OrderField> fields, string defaultOrder, string idSql)
    {
        var keys = new List<string>();
        var lastDescending = defaultOrder.EndsWith(" DESC", StringComparison.Ordinal);
        var usesId = false;
        if (Text("order") is { } order)
        {
            foreach (var part in order.Split(','))
            {
                if (part.Length == 0)
                {
                    continue;
                }
                var descending = part.StartsWith('-');
                var name = descending ? part[1..] : part;
                if (fields.FirstOrDefault(f => f.Name == name) is not { } field)
                {
                    Errors.Add("order", $"Select a valid choice. {part} is not one of the available choices.");
                    return;
                }
                keys.Add(field.Sql + (descending ? " DESC" : " ASC") + (field.Nullable ? db.NullsOrder(descending) : ""));
                lastDescending = descending;
                usesId |= field.Sql == idSql;
            }
        }
        if (keys.Count == 0)
        {
            OrderSql = defaultOrder;
            return;
        }
        if (!usesId)
        {
            keys.Add(idSql + (lastDescending ? " DESC" : " ASC"));
        }
        OrderSql = string.Join(", ", keys);
    }
}

/// <summary>Limit/offset pagination as DRF's <c>LimitOffsetPagination</c>, with a maximum page size.</summary>
internal readonly record struct Page(int Limit, long Offset)
{
    public static Page Read(ApiRequest request, RecordsApiOptions options)
    {
        var limit = options.PageSize;
        if (request.Value("limit") is { } l && int.TryParse(l.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) && n > 0)
        {
            limit = n;
        }
        limit = Math.Min(limit, Math.Max(1, options.MaxPageSize));
        long offset = 0;
        if (request.Value("offset") is { } o && long.TryParse(o.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var m) && m > 0)
        {
            offset = Math.Min(m, long.MaxValue / 4); // far past any table, and offset + limit cannot overflow
        }
        return new Page(limit, offset);
    }

    public string? Next(ApiRequest request, long count) =>
        Offset + Limit >= count ? null : Link(request, Limit, Offset + Limit);

    public string? Previous(ApiRequest request) =>
        Offset <= 0 ? null : Link(request, Limit, Offset - Limit <= 0 ? null : Offset - Limit);

    /// <summary>The request's absolute URL with <c>limit</c> and <c>offset</c> replaced (or offset removed), every
    /// parameter kept and the keys sorted, encoded like Python's <c>urlencode</c>.</summary>
    private static string Link(ApiRequest request, int limit, long? offset)
    {
        var grouped = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (key, value) in request.Query)
        {
            if (key is "limit" or "offset")
            {
                continue;
            }
            if (!grouped.TryGetValue(key, out var list))
            {
                grouped[key] = list = [];
            }
            list.Add(value);
        }
        grouped["limit"] = [limit.ToString(CultureInfo.InvariantCulture)];
        if (offset is { } off)
        {
            grouped["offset"] = [off.ToString(CultureInfo.InvariantCulture)];
        }
        var sb = new StringBuilder(request.BaseUrl).Append(request.Path).Append('?');
        var first = true;
        foreach (var (key, values) in grouped)
        {
            foreach (var value in values)
            {
                if (!first)
                {
                    sb.Append('&');
                }
                first = false;
                QuotePlus(sb, key);
                sb.Append('=');
                QuotePlus(sb, value);
            }
        }
        return sb.ToString();
    }

    private static void QuotePlus(StringBuilder sb, string s)
    {
        foreach (var b in Encoding.UTF8.GetBytes(s))
        {
            if (b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9' or (byte)'_' or (byte)'.' or (byte)'-' or (byte)'~')
            {
                sb.Append((char)b);
            }
            else if (b == (byte)' ')
            {
                sb.Append('+');
            }
            else
            {
                sb.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }
    }
}
