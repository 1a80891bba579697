using System.Reflection;
using OGan.Training;

namespace OGan.Core.Tests.Structure;

/// <summary>
/// OGan.Core's namespaces depend on each other one way only, so that each can be read (and used) with what is
/// below it: a type's base, interfaces, fields, signatures and the members its IL names count as uses.
/// </summary>
public sealed class NamespaceCycleTests
{
    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    [Fact]
    public void The_namespaces_of_OGan_Core_form_no_cycle()
    {
        var assembly = typeof(Trainer).Assembly;
        var uses = new Dictionary<string, Dictionary<string, string>>(); // namespace -> namespace it uses -> an example
        foreach (var type in assembly.GetTypes().Where(t => t.Namespace?.StartsWith("OGan.", StringComparison.Ordinal) == true))
        {
            foreach (var (used, how) in Uses(type))
            {
                foreach (var target in Expand(used).Where(t => t.Assembly == assembly && t.Namespace is { } n && n != type.Namespace && n.StartsWith("OGan.", StringComparison.Ordinal)))
                {
                    var from = uses.TryGetValue(type.Namespace!, out var known) ? known : uses[type.Namespace!] = [];
                    from.TryAdd(target.Namespace!, $"{type.FullName} {how} {target.FullName}");
                }
            }
        }

        var cycles = new List<string>();
        foreach (var (from, targets) in uses)
        {
            foreach (var (to, example) in targets)
            {
                if (PathBetween(uses, to, from) is { } back)
                {
                    cycles.Add($"{from} -> {to} ({example}), and back: {string.Join(" -> ", back)}");
                }
            }
        }

        Assert.True(cycles.Count == 0, "namespace cycles:\n" + string.Join("\n", cycles.Order()));
        Assert.True(uses["OGan.Training"].ContainsKey("OGan.Checkpoints"), "the scan sees Training write checkpoints"); // the scan sees something
    }

    // What a type uses, and how (for the message).
    private static IEnumerable<(Type Type, string How)> Uses(Type type)
    {
        if (type.BaseType is { } baseType)
        {
            yield return (baseType, "derives from");
        }

        foreach (var face in type.GetInterfaces())
        {
            yield return (face, "implements");
        }

        foreach (var field in type.GetFields(Declared))
        {
            yield return (field.FieldType, $"has a field {field.Name} of");
        }

        foreach (var method in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
        {
            foreach (var parameter in method.GetParameters())
            {
                yield return (parameter.ParameterType, $"takes in {method.Name}");
            }

            if (method is MethodInfo info)
            {
                yield return (info.ReturnType, $"returns from {method.Name}");
            }

            foreach (var member in Il.Members(method))
            {
                var used = member as Type ?? member.DeclaringType;
                if (used is not null)
                {
                    yield return (used, $"uses in {method.Name}");
                }
            }
        }
    }

    // A type with its element, generic arguments and declaring types.
    private static IEnumerable<Type> Expand(Type type)
    {
        yield return type;
        if (type.HasElementType && type.GetElementType() is { } element)
        {
            foreach (var inner in Expand(element))
            {
                yield return inner;
            }
        }

        if (type.IsGenericType)
        {
            foreach (var inner in type.GetGenericArguments().SelectMany(Expand))
            {
                yield return inner;
            }
        }
    }

    private static List<string>? PathBetween(Dictionary<string, Dictionary<string, string>> uses, string from, string to)
    {
        var previous = new Dictionary<string, string> { [from] = from };
        var queue = new Queue<string>([from]);
        while (queue.Count > 0)
        {
            var at = queue.Dequeue();
            if (at == to)
            {
                var path = new List<string> { to };
                while (path[^1] != from)
                {
                    path.Add(previous[path[^1]]);
                }

                path.Reverse();
                return path;
            }

            foreach (var next in uses.GetValueOrDefault(at)?.Keys ?? Enumerable.Empty<string>())
            {
                if (previous.TryAdd(next, at))
                {
                    queue.Enqueue(next);
                }
            }
        }

        return null;
    }
}
