using System.Text.Json;

namespace Anvil.Events;

/// <summary>JSON that is not a job event (not an object, or without the counter a batch needs). A
/// <see cref="JsonException"/>, so System.Text.Json adds where in the document it was found.</summary>
public sealed class InvalidJobEventException : JsonException
{
    /// <summary>The message for an event of an ingestion batch without an integer <c>counter</c>.</summary>
    public const string NeedsCounter = "Each event needs a numeric counter.";

    /// <summary>An event that is not a job event, with the reason.</summary>
    public InvalidJobEventException(string message) : base(message)
    {
    }

    /// <summary>An event that is not a job event.</summary>
    public InvalidJobEventException()
    {
    }

    /// <summary>An event that is not a job event, with the reason and what was found.</summary>
    public InvalidJobEventException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
