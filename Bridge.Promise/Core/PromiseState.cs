namespace Bridge.Promises;

/// <summary>
/// The observable state of a <see cref="Promise{T}"/> (Lwt's <c>'a Lwt.state</c>: <c>Sleep</c>, <c>Return</c>, <c>Fail</c>).
/// A promise changes state at most once, from <see cref="Pending"/> to one of the two resolved states.
/// </summary>
public enum PromiseState
{
    /// <summary>Not resolved yet (Lwt <c>Sleep</c>).</summary>
    Pending = 0,

    /// <summary>Resolved with a value (Lwt <c>Return v</c>).</summary>
    Fulfilled = 1,

    /// <summary>Resolved with an exception (Lwt <c>Fail exn</c>).</summary>
    Rejected = 2,
}
