using Bridge.Promises;
using Bridge.Runtimes;

namespace PromiseTests;

/// <summary>Runs test bodies inside a fresh virtual-time loop.</summary>
internal static class TestLoop
{
    public static EventLoop NewLoop() => new(new EventLoopOptions { VirtualTime = true, Name = "test" });

    public static void Run(Action body)
    {
        var loop = NewLoop();
        Promise.Run(loop, () =>
        {
            body();
            return Promise.Unit;
        });
    }

    public static T Run<T>(Func<Promise<T>> body) => Promise.Run(NewLoop(), body);
}

internal sealed class Log
{
    private readonly List<string> _items = new();

    public void Add(string s) => _items.Add(s);

    public IReadOnlyList<string> Items => _items;

    public override string ToString() => string.Join(",", _items);
}

internal sealed class TestException(string message = "test") : Exception(message);
