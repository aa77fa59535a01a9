using System.Reflection;
using BenchmarkDotNet.Running;
using Bridge.Benchmarks.Quick;

// Two modes:
//   dotnet run -c Release --project benchmarks/Bridge.Benchmarks -- --quick [filter]   ratio table (CI smoke run)
//   dotnet run -c Release --project benchmarks/Bridge.Benchmarks -- --filter '*Yield*'  BenchmarkDotNet
if (args.Length > 0 && args[0] == "--quick")
{
    var sources = typeof(QuickRunner).Assembly.GetTypes()
        .Where(t => typeof(IQuickScenarioSource).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
        .OrderBy(t => t.FullName, StringComparer.Ordinal)
        .Select(t => (IQuickScenarioSource)Activator.CreateInstance(t)!);
    QuickRunner.Run(sources.SelectMany(s => s.Scenarios()), Console.Out, args.Length > 1 ? args[1] : null);
    return;
}

BenchmarkSwitcher.FromAssembly(Assembly.GetExecutingAssembly()).Run(args);
