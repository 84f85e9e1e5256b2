using System.Globalization;
using System.Text;
using Anvil.Records.Resources;
using Anvil.Records.Storage;
using Dapper;

namespace Anvil.Records.Api;

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

    /// <summary>Applies a resource's filters, in its declaration order (so errors are reported in ARA's order).</summary>
    public void Filter(ResourceDescriptor resource)
    {
        foreach (var filter in resource.Filters)
        {
            Apply(filter);
        }
    }

    /// <summary>One filter: its value read as its kind says, compared as its match says, the comparison put inside
    /// the filter's <see cref="RecordFilter.Within"/> when it has one.</summary>
    private void Apply(RecordFilter f)
    {
        switch (f.Kind)
        {
            case FilterKind.Status:
                Choices(f.Name, f.Column, f.Choices);
                break;
            case FilterKind.Date:
                Date(f.Name, f.Column, f.Match == FilterMatch.Before ? "<=" : ">=");
                break;
            case FilterKind.Id or FilterKind.Number:
                Number(f, f.Match switch { FilterMatch.GreaterThan => ">", FilterMatch.LessThan => "<", _ => "=" });
                break;
            case FilterKind.Bool:
                Bool(f);
                break;
            case FilterKind.Uuid:
                Uuid(f);
                break;
            default:
                if (Text(f.Name) is { } text)
                {
                    Where(f, f.Match switch
                    {
                        FilterMatch.Contains => ContainsSql(f.Column, text),
                        FilterMatch.IExact => $"lower({f.Column}) = lower({Param(text)})",
                        _ => $"{f.Column} = {Param(text)}",
                    });
                }
                break;
        }
    }

    private void Where(RecordFilter f, string comparison) =>
        Where(f.Within is { } within ? within.Replace("{0}", comparison, StringComparison.Ordinal) : comparison);

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

    /// <summary>A number compared with an integer column (django-filter's NumberFilter reads a decimal).</summary>
    private void Number(RecordFilter f, string op)
    {
        if (Text(f.Name) is not { } text)
        {
            return;
        }
        var column = f.Column;
        var s = text.Trim();
        double value;
        var exact = decimal.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d);
        if (exact)
        {
            value = (double)d;
        }
        else if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value) || !double.IsFinite(value))
        {
            Errors.Add(f.Name, "Enter a number.");
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
                    Where(f, $"{column} = {Param(exact ? decimal.ToInt64(d) : (long)value)}");
                }
                break;
            case ">":
                // x > 1.5 is x > 1 for integers.
                if (value >= long.MaxValue || value < long.MinValue)
                {
                    Where(value >= long.MaxValue ? "1 = 0" : "1 = 1");
                }
                else
                {
                    Where(f, $"{column} > {Param((long)Math.Floor(value))}");
                }
                break;
            default:
                if (value <= long.MinValue || value > long.MaxValue)
                {
                    Where(value <= long.MinValue ? "1 = 0" : "1 = 1");
                }
                else
                {
                    Where(f, $"{column} < {Param((long)Math.Ceiling(value))}");
                }
                break;
        }
    }

    public string ContainsSql(string column, string text) =>
        $"lower({column}) LIKE lower({Param("%" + SqlSession.EscapeLike(text) + "%")}) ESCAPE '\\'";

    /// <summary><c>true</c>/<c>false</c> in any case; other values are ignored, as django-filter does.</summary>
    private void Bool(RecordFilter f)
    {
        switch (Text(f.Name)?.ToLowerInvariant())
        {
            case "true":
                Where(f, $"{f.Column} = {Param(true)}");
                break;
            case "false":
                Where(f, $"{f.Column} = {Param(false)}");
                break;
        }
    }

    /// <summary>A multi-valued choice (<c>status=a&amp;status=b</c> is OR); each value must be a valid choice.</summary>
    private void Choices(string param, string column, IReadOnlyList<string> choices)
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

    private void Uuid(RecordFilter f)
    {
        if (Text(f.Name) is not { } text)
        {
            return;
        }
        if (JsonText.ParseUuid(text.Trim()) is { } uuid)
        {
            Where(f, $"{f.Column} = {Param(uuid)}");
        }
        else
        {
            Errors.Add(f.Name, "Enter a valid UUID.");
        }
    }

    /// <summary>The resource's <c>order</c> fields, with its default ordering.</summary>
    public void Order(ResourceDescriptor resource) => Order(resource, resource.DefaultOrderSql);

    /// <summary>
    /// <c>order=field</c>, <c>order=-field</c> or a comma list, from the allowed fields; else the default. Ties are
    /// broken by id in the direction of the last key, so pages never overlap (and SQLite can walk one index).
    /// </summary>
    public void Order(ResourceDescriptor resource, string defaultOrder)
    {
        var fields = resource.Orders;
        var idSql = resource.IdSql;
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
