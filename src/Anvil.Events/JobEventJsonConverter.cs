using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Anvil.Events;

/// <summary>
/// A <see cref="JobEvent"/> in System.Text.Json as its <c>job_events</c> file, with Anvil's
/// <see cref="JobEvent.MetaJson"/> as a last key <c>"anvil"</c>: the shape in which events travel in an ingestion
/// batch. Writing splices the event's bytes (no per-event document); reading needs an integer <c>counter</c> and
/// keeps <c>event_data</c> as its bytes, parsed once.
/// </summary>
public sealed class JobEventJsonConverter : JsonConverter<JobEvent>
{
    // One buffer per thread: events are written one after another, and a batch has hundreds of them.
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    /// <summary>Reads one event in the job_events file format.</summary>
    public override JobEvent Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        JobEventSerializer.Read(ref reader, counterRequired: true);

    /// <summary>Writes the event exactly as its job_events file.</summary>
    public override void Write(Utf8JsonWriter writer, JobEvent value, JsonSerializerOptions options)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(4096);
        buffer.ResetWrittenCount();
        JobEventSerializer.Write(buffer, value, withMeta: true);
        // Validated: event_data comes from outside (the callback), and a bad value must fail here, not at the server.
        writer.WriteRawValue(buffer.WrittenSpan, skipInputValidation: false);
        if (buffer.Capacity > 1024 * 1024)
        {
            t_buffer = null; // do not keep one huge event's buffer for the thread's lifetime
        }
    }
}
