namespace Bridge.Promises;

/// <summary>
/// A switch that runs cleanup hooks once when turned off (Lwt <c>Lwt_switch</c>): resources register a hook, and
/// <see cref="TurnOff"/> releases them all.
/// </summary>
public sealed class PromiseSwitch
{
    private readonly List<Func<Promise<Unit>>> _hooks = new();
    private bool _on = true;

    /// <summary>True until <see cref="TurnOff"/> is called (Lwt <c>Lwt_switch.is_on</c>).</summary>
    public bool IsOn => _on;

    /// <summary>Registers a hook run by <see cref="TurnOff"/> (Lwt <c>Lwt_switch.add_hook</c>).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="hook"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The switch is off (Lwt <c>Lwt_switch.Off</c>).</exception>
    public void AddHook(Func<Promise<Unit>> hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        Check();
        _hooks.Add(hook);
    }

    /// <summary>
    /// Registers a hook, or runs it now when the switch is already off (Lwt <c>Lwt_switch.add_hook_or_exec</c>).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="hook"/> is null.</exception>
    public Promise<Unit> AddHookOrExec(Func<Promise<Unit>> hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        if (_on)
        {
            _hooks.Add(hook);
            return Promise.Unit;
        }

        return Promise.Apply(hook);
    }

    /// <summary>
    /// Turns the switch off (Lwt <c>Lwt_switch.turn_off</c>): the first call starts every hook, most recently added
    /// first, and waits for all of them (rejected with a hook's failure, as <see cref="Promise.Join(Promise{Unit}[])"/>);
    /// later calls return a fulfilled promise.
    /// </summary>
    public Promise<Unit> TurnOff()
    {
        if (!_on)
        {
            return Promise.Unit;
        }

        _on = false;
        var started = new List<Promise<Unit>>(_hooks.Count);
        for (int i = _hooks.Count - 1; i >= 0; i--)
        {
            started.Add(Promise.Apply(_hooks[i]));
        }

        _hooks.Clear();
        return Promise.Join(started);
    }

    /// <summary>Throws when the switch is off (Lwt <c>Lwt_switch.check</c>).</summary>
    /// <exception cref="InvalidOperationException">The switch is off (Lwt <c>Lwt_switch.Off</c>).</exception>
    public void Check()
    {
        if (!_on)
        {
            throw new InvalidOperationException("The switch is turned off (Lwt_switch.Off).");
        }
    }

    /// <summary>Runs <paramref name="f"/> with a new switch and turns it off when <paramref name="f"/> ends (Lwt <c>Lwt_switch.with_switch</c>).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> is null.</exception>
    public static Promise<T> With<T>(Func<PromiseSwitch, Promise<T>> f)
    {
        ArgumentNullException.ThrowIfNull(f);
        var sw = new PromiseSwitch();
        return Promise.Finally(() => f(sw), sw.TurnOff);
    }
}
