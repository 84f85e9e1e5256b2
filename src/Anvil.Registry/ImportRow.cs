using Anvil.Data;

namespace Anvil.Registry;

/// <summary>A row of <c>registry_imports</c> as Dapper reads it, for the store and the UI's lists alike.</summary>
internal sealed class ImportRow
{
    public string Id { get; set; } = "";

    public string State { get; set; } = "";

    public string UserName { get; set; } = "";

    public string Filename { get; set; } = "";

    public string? Namespace { get; set; }

    public string? Name { get; set; }

    public string? Version { get; set; }

    public long Created { get; set; }

    public long Updated { get; set; }

    public long? Started { get; set; }

    public long? Finished { get; set; }

    public string? ErrorCode { get; set; }

    public string? ErrorDescription { get; set; }

    public string Messages { get; set; } = "[]";

    /// <summary>The list form (the log left out: lists select no <c>messages</c>).</summary>
    public ImportSummary ToSummary() => new(Id, State, UserName, Filename, Namespace, Name, Version, Clock.FromMicros(Created),
        Finished is { } f ? Clock.FromMicros(f) : null, ErrorCode, ErrorDescription);

    public ImportRecord ToRecord() => new()
    {
        Id = Id,
        State = State,
        User = UserName,
        Filename = Filename,
        Namespace = Namespace,
        Name = Name,
        Version = Version,
        Created = Clock.FromMicros(Created),
        Updated = Clock.FromMicros(Updated),
        Started = Started is { } s ? Clock.FromMicros(s) : null,
        Finished = Finished is { } f ? Clock.FromMicros(f) : null,
        ErrorCode = ErrorCode,
        ErrorDescription = ErrorDescription,
        Messages = RegistryStore.ParseMessages(Messages),
    };
}
