namespace Anvil.Galaxy.Installing;

/// <summary>What an operation reports as it goes.</summary>
public enum CollectionEventKind
{
    /// <summary>A line of information, as ansible-galaxy prints it.</summary>
    Info,

    /// <summary>A warning, as ansible-galaxy prints with <c>[WARNING]:</c>.</summary>
    Warning,

    /// <summary>Dependency resolution started (<see cref="CollectionEvent.Total"/>: requirements).</summary>
    Resolving,

    /// <summary>Resolution done (<see cref="CollectionEvent.Total"/>: collections chosen).</summary>
    Resolved,

    /// <summary>A download started or progressed (<see cref="CollectionEvent.Bytes"/> so far).</summary>
    Downloading,

    /// <summary>A download finished (<see cref="CollectionEvent.Bytes"/>: its size).</summary>
    Downloaded,

    /// <summary>A collection is being unpacked into its collections path.</summary>
    Installing,

    /// <summary>A collection was installed.</summary>
    Installed,
}

/// <summary>One progress report; <see cref="Subject"/> names the collection (<c>ns.name:version</c>).</summary>
public sealed record CollectionEvent(CollectionEventKind Kind, string Message, string? Subject = null, long Bytes = 0, long Total = 0);
