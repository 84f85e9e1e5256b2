namespace Anvil.Galaxy.Installing;

/// <summary>What an operation reports as it goes.</summary>
public enum CollectionEventKind
{
    /// <summary>A line of information, as ansible-galaxy prints it.</summary>
    Info,

    Warning,

    /// <summary>Dependency resolution started (<see cref="CollectionEvent.Total"/>: requirements).</summary>
    Resolving,

    /// <summary>Resolution done (<see cref="CollectionEvent.Total"/>: collections chosen).</summary>
    Resolved,

    /// <summary>A download started or progressed (<see cref="CollectionEvent.Bytes"/> so far).</summary>
    Downloading,

    Downloaded,

    Installing,

    Installed,
}

/// <summary>One progress report; <see cref="Subject"/> names the collection (<c>ns.name:version</c>).</summary>
public sealed record CollectionEvent(CollectionEventKind Kind, string Message, string? Subject = null, long Bytes = 0, long Total = 0);
