namespace Bridge.Promises;

/// <summary>One cell of a stream's shared queue (Lwt_stream's <c>node</c>): the last cell is an empty placeholder.</summary>
internal sealed class StreamNode<T>
{
    internal T Value = default!;
    internal bool IsEnd;
    internal StreamNode<T>? Next;
}
