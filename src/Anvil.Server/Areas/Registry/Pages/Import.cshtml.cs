using Anvil.Registry;
using Anvil.Server.Ui;
using Anvil.Server.Registry;

namespace Anvil.Server.Pages.Registry;

/// <summary><c>/imports/{id}</c>: one import with its whole log, errors first in view. Only its user and
/// administrators see it; to anyone else it does not exist (as in the API).</summary>
public sealed class ImportModel : RegistryPage
{
    protected override bool NeedsUser => true;

    public ImportRecord Import { get; private set; } = null!;

    /// <summary>The version the import brought in, when it did (and it is still there).</summary>
    public bool Published { get; private set; }

    public int Errors => Import.Messages.Count(m => m.Level == ImportMessage.Error);

    public int Warnings => Import.Messages.Count(m => m.Level == ImportMessage.Warning);

    public bool Finished => Import.State is ImportState.Completed or ImportState.Failed;

    public async Task OnGetAsync(string id, CancellationToken ct)
    {
        var user = CurrentUser!;
        if (await Store.GetImportAsync(id, ct) is not { } import || import.User != user && !await Store.IsAdminAsync(user, ct))
        {
            NotFoundPage($"There is no import {id} of yours.");
            return;
        }
        Import = import;
        Published = import is { State: ImportState.Completed, Namespace: { } ns, Name: { } name, Version: { } version } &&
                    await Store.GetVersionAsync(ns, name, version, ct) is not null;
        Title = $"Import of {import.Filename} ({import.State})";
    }

    /// <summary>The CSS class of a log level.</summary>
    public static string LevelClass(string level) => level switch
    {
        ImportMessage.Error => "lv-error",
        ImportMessage.Warning => "lv-warning",
        _ => "lv-info",
    };
}
