namespace Bridge.Runtimes;

/// <summary>
/// Settings for a new <see cref="EventLoop"/> (the knobs of <c>Lwt_engine</c>/<c>Lwt_main</c> and of
/// <c>Eio_mock.Backend.run</c>).
/// </summary>
public sealed class EventLoopOptions
{
    /// <summary>
    /// Run on virtual time: the clock moves only when the loop would otherwise be idle, jumping to the next
    /// timer (Eio_mock's clock). <see cref="EventLoop.Time"/> is then a <see cref="VirtualTimeProvider"/> —
    /// the one given in <see cref="Time"/>, or a new one starting at <see cref="DateTimeOffset.UnixEpoch"/>.
    /// </summary>
    public bool VirtualTime { get; set; }

    /// <summary>
    /// The clock. Defaults to <see cref="TimeProvider.System"/>, or to a new <see cref="VirtualTimeProvider"/>
    /// when <see cref="VirtualTime"/> is set. With <see cref="VirtualTime"/> it must be a <see cref="VirtualTimeProvider"/>.
    /// A <see cref="VirtualTimeProvider"/> without <see cref="VirtualTime"/> is a manual clock (FakeTimeProvider's
    /// model): the loop never moves it, and an idle loop with a pending timer waits until someone calls
    /// <see cref="VirtualTimeProvider.Advance"/> or <see cref="VirtualTimeProvider.SetTime"/>.
    /// </summary>
    public TimeProvider? Time { get; set; }

    /// <summary>A name for diagnostics: thread-check and deadlock messages use it.</summary>
    public string? Name { get; set; }

    /// <summary>
    /// When the loop reports a deadlock. Defaults to <see cref="DeadlockDetectionMode.Strict"/> on virtual time
    /// and <see cref="DeadlockDetectionMode.WhenProcessQuiet"/> on real time.
    /// </summary>
    public DeadlockDetectionMode? DeadlockDetection { get; set; }

    /// <summary>
    /// Receives exceptions thrown by work items and timer callbacks (the loop's unhandled-error hook). When null,
    /// such an exception propagates out of <see cref="EventLoop.RunUntil"/>, so no error is ever lost; the loop
    /// stays usable either way.
    /// </summary>
    public Action<Exception>? UnhandledException { get; set; }
}
