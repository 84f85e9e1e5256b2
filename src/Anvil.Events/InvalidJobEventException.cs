using System.Text.Json;

namespace Anvil.Events;

/// <summary>JSON that is not a job event (not an object, or without the counter a batch needs). A
/// <see cref="JsonException"/>, so System.Text.Json adds where in the document it was found.</summary>
public sealed class InvalidJobEventException : JsonException
{
    /// <summary>The message for an event of an ingestion batch without an integer <c>counter</c>.</summary>
    public const string NeedsCounter = "Each event needs a numeric counter.";

    public InvalidJobEventException(string message) : base(message)
    {
    }

    public InvalidJobEventException()
    {
    }

    public InvalidJobEventException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
