namespace Bridge.Runtimes;

/// <summary>How sure an idle <see cref="EventLoop"/> must be before it throws <see cref="DeadlockException"/>.</summary>
public enum DeadlockDetectionMode
{
    /// <summary>
    /// Eio_mock's rule: nothing queued, no timer and no tracked external operation means nothing can wake the
    /// loop. Foreign work (thread pool, sockets, system timers) must be tracked with
    /// <see cref="EventLoop.TrackExternalOperation"/> or it is invisible. The default on virtual time.
    /// </summary>
    Strict,

    /// <summary>
    /// Like <see cref="Strict"/>, and in addition the process must look quiet: no other event loop running (it could post
    /// here or resolve a thread-safe primitive this loop waits on), no active system timer (<see cref="Timer.ActiveCount"/>),
    /// no queued or running thread-pool work besides the loop itself. While it
    /// does not, the loop keeps waiting and re-checks periodically, so <c>await Task.Delay(1000)</c> or
    /// <c>await Task.Run(...)</c> in Task code is never mistaken for a deadlock. The default on real time.
    /// Untracked I/O without a timeout (a bare socket read) can still look quiet: track it.
    /// </summary>
    WhenProcessQuiet,

    /// <summary>Never report; an idle loop waits for a post forever.</summary>
    Disabled,
}
