using System.CommandLine;
using System.Text.Json;
using Anvil.Client;
using Anvil.Records.Resources;

namespace Anvil.Cli.Commands.Records;

/// <summary>A filter option of a list command and the query parameters it sends: either one of the resource's
/// filters (<see cref="Shortcut"/> false: the option is named and described after it) or a shortcut that sends
/// fixed values of the resource's filters (<c>--with-failed</c> is <c>failed__gt=0</c>).</summary>
internal sealed record Filter(Option Option, Func<ParseResult, IEnumerable<(string Name, string Value)>> Query)
{
    /// <summary>Not one of the resource's filters but a shortcut to values of <see cref="Sends"/>.</summary>
    public bool Shortcut { get; init; }

    /// <summary>The query parameters this option can send (each a filter of the resource).</summary>
    public IReadOnlyList<string> Sends { get; init; } = [];

    /// <summary>The filters of the resource this option is offered instead of (the CLI's own <c>--status</c> of
    /// results, which also takes the shown statuses).</summary>
    public IReadOnlyList<string> Replaces { get; init; } = [];

    /// <summary>The option a filter of the resource is offered as: its name with dashes (<c>--ansible-version</c>,
    /// <c>--changed-gt</c> for <c>changed__gt</c>).</summary>
    public static string OptionName(RecordFilter f) => "--" + f.Name.Replace("__", "-", StringComparison.Ordinal).Replace('_', '-');

    /// <summary>Every filter of <paramref name="resource"/>, dates last, each described as the resource describes
    /// it, after <paramref name="what"/> ("playbooks"); <paramref name="replace"/> offers some differently.</summary>
    public static Filter[] Of(ResourceDescriptor resource, string what, params Filter[] replace) =>
    [
        .. resource.Filters.OrderBy(f => f.Kind == FilterKind.Date)
            .Select(f => replace.FirstOrDefault(r => r.Replaces.Contains(f.Name)) is { } other ? other : From(f, what))
            .Distinct(),
    ];

    /// <summary>The option of one filter of a resource.</summary>
    public static Filter From(RecordFilter f, string what)
    {
        var name = OptionName(f);
        var description = $"{what} {f.Description}";
        switch (f.Kind)
        {
            case FilterKind.Status:
                {
                    var option = new Option<string[]>(name) { Description = description + " (repeatable)", HelpName = "STATUS" };
                    option.AcceptOnlyFromAmong([.. f.Choices]);
                    return new(option, p => (p.GetValue(option) ?? []).Select(s => (f.Name, s))) { Sends = [f.Name] };
                }
            case FilterKind.Id or FilterKind.Number:
                {
                    var option = new Option<long?>(name) { Description = description, HelpName = f.Kind == FilterKind.Id ? "ID" : "N" };
                    return new(option, p => p.GetValue(option) is { } v ? [(f.Name, RecordsSession.Text(v))] : []) { Sends = [f.Name] };
                }
            case FilterKind.Bool:
                {
                    // A switch: ARA's "false" is rarely wanted, and a switch reads as the question it asks.
                    var option = new Option<bool>(name)
                    {
                        Description = description.Replace(" (true) or not (false)", "", StringComparison.Ordinal)
                        .Replace(" (true) or without (false)", "", StringComparison.Ordinal)
                    };
                    return new(option, p => p.GetValue(option) ? [(f.Name, "true")] : []) { Sends = [f.Name] };
                }
            default:
                {
                    var option = new Option<string?>(name)
                    {
                        Description = description,
                        HelpName = f.Kind switch { FilterKind.Date => "TIME", FilterKind.Uuid => "UUID", _ => "TEXT" },
                    };
                    return new(option, p => p.GetValue(option) is { Length: > 0 } v ? [(f.Name, v)] : []) { Sends = [f.Name] };
                }
        }
    }

    /// <summary>A switch that sends fixed values of some of the resource's filters.</summary>
    public static Filter Flag(string name, string description, params (string Name, string Value)[] query)
    {
        var option = new Option<bool>(name) { Description = description };
        return new(option, p => p.GetValue(option) ? query : []) { Shortcut = true, Sends = [.. query.Select(q => q.Name).Distinct()] };
    }
}

/// <summary>What a list command shows: the API resource and one object as messages say it (both from
/// <see cref="ResourceDescriptor"/>), its columns, and its defaults.</summary>
internal sealed record ListSpec(ResourceDescriptor Resource, string Description, IReadOnlyList<Column> Columns,
    string DefaultOrder, int DefaultLimit = 50, bool CanResolve = true)
{
    // The columns are chosen from the descriptor's list fields, never invented here: a field the API stops listing
    // fails when the command tree is built (and so in every CLI test), not as an empty column at a user's terminal.
    public IReadOnlyList<Column> Columns { get; init; } = CheckColumns(Resource, Columns);

    public string Noun => Resource.Noun;

    /// <summary>Throws unless every column reads a list field of <paramref name="resource"/> (the first segment of
    /// a dotted field: <c>items.tasks</c> reads <c>items</c>).</summary>
    public static IReadOnlyList<Column> CheckColumns(ResourceDescriptor resource, IReadOnlyList<Column> columns)
    {
        foreach (var column in columns)
        {
            var field = column.Field?.Split('.')[0];
            if (field is null || !resource.Fields.Contains(field))
            {
                throw new InvalidOperationException(
                    $"records {resource.Noun} list: column '{column.Name}' reads '{column.Field}', which is not a field of a {resource.Noun} in a list ({string.Join(", ", resource.Fields)})");
            }
        }
        return columns;
    }
}

/// <summary>The <c>list</c>, <c>show</c> and <c>delete</c> commands every resource has, built from a description.</summary>
internal static class ResourceCommands
{
    /// <summary>What <c>order</c> accepts, for the help: "id, created, updated or name".</summary>
    public static string Orders(ResourceDescriptor resource)
    {
        var names = resource.Orders.Select(o => o.Name).ToList();
        return names.Count == 1 ? names[0] : string.Join(", ", names[..^1]) + " or " + names[^1];
    }

    public static Option<string> OrderOption(string defaultOrder, string fields) => new("--order")
    {
        Description = $"sort by {fields}; '-' first for descending (default: {defaultOrder})",
        HelpName = "ORDER",
        DefaultValueFactory = _ => defaultOrder,
    };

    public static Option<int> LimitOption(int defaultLimit, string what = "return at most N")
    {
        var limit = new Option<int>("--limit")
        {
            Description = $"{what} (default: {defaultLimit})",
            HelpName = "N",
            DefaultValueFactory = _ => defaultLimit,
        };
        limit.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1)
            {
                r.AddError("--limit must be at least 1");
            }
        });
        return limit;
    }

    public static Option<bool> LongOption(string extra) => new("--long")
    {
        Description = $"do not shorten paths, and add {extra}",
    };

    public static Option<bool> ResolveOption() => new("--resolve")
    {
        Description = "show names (of playbooks, plays, tasks, hosts) instead of ids",
    };

    /// <summary><c>anvil records NOUN list</c> with these filters; <paramref name="source"/> can read elsewhere
    /// (hosts --latest) and reshape each item into the list's shape.</summary>
    public static Command List(ListSpec spec, Filter[] filters, string longExtra,
        Func<ParseResult, (string Path, Func<JsonElement, JsonElement>? Reshape)>? source = null)
    {
        var longOption = LongOption(longExtra);
        var resolve = spec.CanResolve ? ResolveOption() : null;
        var order = OrderOption(spec.DefaultOrder, Orders(spec.Resource));
        var limit = LimitOption(spec.DefaultLimit);
        var format = RecordsOutput.FormatOption();
        var connection = new RecordsConnection();
        var command = new Command("list", spec.Description);
        var output = new List<Option> { longOption };
        if (resolve is not null)
        {
            output.Add(resolve);
        }
        output.AddRange([order, limit, format]);
        foreach (var o in filters.Select(f => f.Option).Concat(output))
        {
            command.Options.Add(o);
        }
        connection.AddTo(command);
        GroupedHelp.Apply(command, $"anvil records {spec.Noun} list [filters] [--long] [--order ORDER] [--limit N] [-f FORMAT] [--server URL | --database CONN]",
            ("Filters", filters.Select(f => f.Option).ToArray()),
            ("Output", output.ToArray()),
            ("Connection", connection.Options));
        connection.SetAction(command, async s =>
        {
            var query = Query(s.Parse, filters);
            query.Add(("order", s.Parse.GetValue(order)!));
            var (path, reshape) = source?.Invoke(s.Parse) ?? ($"/api/v1/{spec.Resource.Name}", null);
            var (items, count) = await s.ListAsync(path, query, s.Parse.GetValue(limit));
            var longMode = s.Parse.GetValue(longOption);
            var columns = spec.Columns.Where(c => longMode || !c.LongOnly).ToList();
            var rows = items.Select(i => reshape is null ? i : reshape(i)).Select(i => columns.Select(c => c.Value(i)).ToArray()).ToList();
            if (resolve is not null && s.Parse.GetValue(resolve))
            {
                await ResolveAsync(s, columns, rows);
            }
            RecordsOutput.WriteList(s.Output, s.Parse.GetValue(format)!,
                new Listing(columns, rows, Footer(items.Count, count, spec.Noun)), longMode);
            return 0;
        });
        return command;
    }

    /// <summary><c>anvil records NOUN show ID</c>: every field of the detail; <paramref name="extras"/> are switches
    /// that add fields (<c>--with-facts</c>).</summary>
    public static Command Show(string noun, string resource, string description, IReadOnlyList<Column> fields,
        params (Option<bool> Switch, Column Field)[] extras)
    {
        var id = new Argument<long>("id") { Description = $"the {noun}'s id" };
        var format = RecordsOutput.FormatOption();
        var connection = new RecordsConnection();
        var command = new Command("show", description) { id };
        foreach (var (option, _) in extras)
        {
            command.Options.Add(option);
        }
        command.Options.Add(format);
        connection.AddTo(command);
        GroupedHelp.Apply(command, $"anvil records {noun} show ID [-f FORMAT] [--server URL | --database CONN]",
            ("Output", [.. extras.Select(e => (Option)e.Switch), format]),
            ("Connection", connection.Options));
        connection.SetAction(command, async s =>
        {
            var item = await s.DetailAsync(resource, noun, s.Parse.GetValue(id));
            var shown = fields.Concat(extras.Where(e => s.Parse.GetValue(e.Switch)).Select(e => e.Field)).ToList();
            RecordsOutput.WriteShow(s.Output, s.Parse.GetValue(format)!, shown, shown.Select(f => f.Value(item)).ToArray());
            return 0;
        });
        return command;
    }

    /// <summary><c>anvil records NOUN delete ID</c>, with everything under it (the API's DELETE).</summary>
    public static Command Delete(string noun, string resource, string description)
    {
        var id = new Argument<long>("id") { Description = $"the {noun} to delete" };
        var connection = new RecordsConnection();
        var command = new Command("delete", description) { id };
        connection.AddTo(command);
        GroupedHelp.Apply(command, $"anvil records {noun} delete ID [--server URL | --database CONN]",
            ("Connection", connection.Options));
        connection.SetAction(command, async s =>
        {
            var n = s.Parse.GetValue(id);
            try
            {
                await s.Client.SendAsync("DELETE", $"/api/v1/{resource}/{RecordsSession.Text(n)}", [], null, s.Ct);
            }
            catch (RecordsApiException e) when (e.Status == 404)
            {
                throw new RecordsCliException($"{noun} {RecordsSession.Text(n)} not found");
            }
            await s.Output.WriteLineAsync($"Deleted {noun} {RecordsSession.Text(n)}.");
            return 0;
        });
        return command;
    }

    public static List<(string Name, string Value)> Query(ParseResult parse, IEnumerable<Filter> filters) =>
        filters.SelectMany(f => f.Query(parse)).ToList();

    public static string Footer(int shown, long count, string noun) =>
        shown == count
            ? $"{count} {Plural(noun, count)}"
            : $"{shown} of {count} {Plural(noun, count)} (--limit to see more)";

    public static string Plural(string noun, long n) => n == 1 ? noun : noun + "s";

    /// <summary>Replaces ids by names in the columns that refer to other objects: one request per distinct object.</summary>
    private static async Task ResolveAsync(RecordsSession s, List<Column> columns, List<JsonElement[]> rows)
    {
        var names = new Dictionary<(string, long), JsonElement>();
        for (var c = 0; c < columns.Count; c++)
        {
            if (columns[c].Resolves is not { } resource)
            {
                continue;
            }
            foreach (var row in rows)
            {
                if (row[c].ValueKind != JsonValueKind.Number || !row[c].TryGetInt64(out var id))
                {
                    continue;
                }
                if (!names.TryGetValue((resource, id), out var name))
                {
                    name = await NameOfAsync(s, resource, id);
                    names[(resource, id)] = name;
                }
                row[c] = name;
            }
        }
    }

    private static async Task<JsonElement> NameOfAsync(RecordsSession s, string resource, long id)
    {
        JsonElement item;
        try
        {
            item = await s.Client.SendAsync("GET", $"/api/v1/{resource}/{RecordsSession.Text(id)}", [], null, s.Ct);
        }
        catch (RecordsApiException e) when (e.Status == 404)
        {
            return RecordsOutput.Value(id); // deleted meanwhile: the id is all there is
        }
        string? Str(string key) => item.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        var name = resource switch
        {
            "playbooks" => Str("name") ?? Str("path"),
            "tasks" => Str("name") ?? Str("action"),
            "files" => Str("path"),
            _ => Str("name"),
        };
        return name is null ? RecordsOutput.Value(id) : RecordsOutput.Value(name);
    }
}

/// <summary>Reading values out of API objects for columns.</summary>
internal static class Fields
{
    /// <summary>A property, or nothing when absent; a dotted name walks into nested objects (<c>items.tasks</c>).</summary>
    public static Func<JsonElement, JsonElement> P(string dotted)
    {
        var path = dotted.Split('.');
        return e =>
        {
            foreach (var key in path)
            {
                if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(key, out e))
                {
                    return default;
                }
            }
            return e;
        };
    }

    /// <summary>One property of each object of an array (the names of a playbook's labels).</summary>
    public static Func<JsonElement, JsonElement> Each(string array, string key) => e =>
        P(array)(e) is { ValueKind: JsonValueKind.Array } a
            ? RecordsOutput.Value(a.EnumerateArray().Select(x => P(key)(x)).ToList())
            : default;

    public static Column Id() => new("id", P("id"), CellKind.Number) { Field = "id" };

    public static Column Number(string name, string? from = null, bool longOnly = false) =>
        new(name, P(from ?? name), CellKind.Number, longOnly) { Field = from ?? name };

    public static Column Text(string name, string? from = null, bool longOnly = false) =>
        new(name, P(from ?? name), CellKind.Text, longOnly) { Field = from ?? name };

    public static Column Time(string name, bool longOnly = false) => new(name, P(name), CellKind.Time, longOnly) { Field = name };

    public static Column Status() => new("status", P("status"), CellKind.Status) { Field = "status" };

    public static Column Duration() => new("duration", P("duration"), CellKind.Duration) { Field = "duration" };

    /// <summary>The id of a related object: <c>--resolve</c> shows its name instead.</summary>
    public static Column Ref(string name, string resource, bool longOnly = false, string? from = null) =>
        new(name, P(from ?? name), CellKind.Number, longOnly, resource) { Field = from ?? name };
}
