using Anvil.Records.Views;
using Anvil.Server.Ui;

namespace Anvil.Server.Pages;

/// <summary><c>/results/{id}</c>: one task on one host: where it ran, how it ended, and its full result.</summary>
public sealed class ResultModel : UiPage
{
    /// <summary>The keys that say what happened, shown before the rest.</summary>
    public static readonly string[] First = ["msg", "stderr", "stdout", "rc", "cmd", "reason", "exception", "module_stderr", "module_stdout", "changed", "failed", "skipped"];

    public ResultDetail Detail { get; private set; } = null!;

    public async Task OnGetAsync(long id, CancellationToken ct)
    {
        if (await Views.ResultAsync(id, ct) is not { } detail)
        {
            NotFoundPage($"There is no result {id}.");
            return;
        }
        Detail = detail;
        var r = detail.Result;
        Title = $"Result {r.Id}: {r.Status} {r.Action} on {r.HostName}";
    }

    /// <summary>An anchor name for a content key (letters, digits, <c>-</c> and <c>_</c> only).</summary>
    public static string Anchor(string key) =>
        "field-" + new string(key.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_').ToArray());
}
