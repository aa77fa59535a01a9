namespace Bridge.Fibers;

/// <summary>
/// A tiny test-and-set lock for the primitives' few-instruction critical sections (queue links, counters). Uncontended,
/// it costs one interlocked exchange and one store — a fraction of a <see cref="Monitor"/> pair — which matters on the
/// single-loop fast paths; across loops it spins briefly, then yields. Never held across a callback or a wake-up.
/// A mutable struct: keep it in a readonly-free field and only call it through the field.
/// </summary>
internal struct SpinGate
{
    private int _taken;

    public void Enter()
    {
        if (Interlocked.Exchange(ref _taken, 1) != 0)
        {
            EnterContended();
        }
    }

    public void Exit() => Volatile.Write(ref _taken, 0);

    private void EnterContended()
    {
        var spinner = default(SpinWait);
        do
        {
            spinner.SpinOnce(sleep1Threshold: -1);
        }
        while (Volatile.Read(ref _taken) != 0 || Interlocked.Exchange(ref _taken, 1) != 0);
    }
}
