namespace Bridge.Runtimes;

/// <summary>
/// A copy-on-write list of hooks with removal handles (Lwt_sequence's role in Lwt_main's hook lists).
/// Adding or removing while the hooks run affects the next run only.
/// </summary>
internal sealed class HookList<T>
    where T : class
{
    private T[] _hooks = [];

    public T[] Snapshot => Volatile.Read(ref _hooks);

    public bool IsEmpty => Volatile.Read(ref _hooks).Length == 0;

    public IDisposable Add(T hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        Update(hooks => [.. hooks, hook]);
        return new Removal(this, hook);
    }

    private void Update(Func<T[], T[]> change)
    {
        while (true)
        {
            var old = Volatile.Read(ref _hooks);
            if (Interlocked.CompareExchange(ref _hooks, change(old), old) == old)
            {
                return;
            }
        }
    }

    private sealed class Removal(HookList<T> list, T hook) : IDisposable
    {
        private int _removed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _removed, 1) == 0)
            {
                list.Update(hooks =>
                {
                    int i = Array.IndexOf(hooks, hook);
                    return i < 0 ? hooks : [.. hooks.AsSpan(0, i), .. hooks.AsSpan(i + 1)];
                });
            }
        }
    }
}
