using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Text;
using KdDsl.Generators.Model;

namespace KdDsl.Generators.Emitting;

/// <summary>
/// Eight hex digits of FNV-1a over everything declared that shapes a trained teacher: every member of the teacher's spec (its
/// model, epochs, selection, ...) and of the <c>[Train]</c> spec it trains with, read by reflection, so a setting added to either
/// record changes the fingerprint without anyone listing it here, and so does any <c>[Train]</c> argument as written. Only the <c>[Train]</c> members that act on the student phases
/// alone are left out (<see cref="StudentOnly"/>). Stable across builds and machines (invariant text, no string.GetHashCode).
/// </summary>
internal static class TeacherFingerprint
{
    /// <summary>The <c>[Train]</c> members a teacher never sees.</summary>
    public static readonly IReadOnlyCollection<string> StudentOnly = new[] { nameof(TrainSpec.StudentBaseline), nameof(TrainSpec.Checkpoint) };

    /// <summary>The fingerprint of <paramref name="teacher"/> trained with <paramref name="train"/>.</summary>
    public static string Of(TeacherSpec teacher, TrainSpec train, InputsSpec? inputs = null)
    {
        uint hash = 2166136261;
        foreach (char c in Text(teacher, train, inputs))
        {
            hash ^= c;
            hash *= 16777619;
        }
        return hash.ToString("x8", CultureInfo.InvariantCulture);
    }

    /// <summary>The text the fingerprint hashes: each member as name=value, records nested in braces.</summary>
    public static string Text(TeacherSpec teacher, TrainSpec train, InputsSpec? inputs = null)
    {
        var text = new StringBuilder();
        Append(text, teacher, Array.Empty<string>());
        Append(text, train, StudentOnly);
        // [Normalize] and [Augment] change what the teacher trains on; without them the text is what it always was.
        if (inputs is not null) Append(text, inputs, Array.Empty<string>());
        return text.ToString();
    }

    private static void Append(StringBuilder text, object value, IReadOnlyCollection<string> skip)
    {
        text.Append(value.GetType().Name).Append('{');
        foreach (var property in value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            if (skip.Contains(property.Name) || property.GetIndexParameters().Length > 0) continue;
            text.Append(property.Name).Append('=');
            switch (property.GetValue(value))
            {
                case null: text.Append("null"); break;
                case double d: text.Append(d.ToString("R", CultureInfo.InvariantCulture)); break;
                case int i: text.Append(i.ToString(CultureInfo.InvariantCulture)); break;
                case bool b: text.Append(b ? "true" : "false"); break;
                case string s: text.Append('"').Append(s.Replace("\"", "\\\"")).Append('"'); break;
                case Enum e: text.Append(e.ToString()); break;
                // [Train]'s arguments as written (TrainSpec.Arguments), less the student-only ones: an option the generator does
                // not model yet still changes the fingerprint.
                case IEnumerable<DeclaredArgument> arguments:
                    foreach (var argument in arguments.Where(a => !skip.Contains(a.Name))) Append(text, argument, Array.Empty<string>());
                    break;
                case IEnumerable<double> values: text.Append(string.Join(",", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))); break;
                case IEnumerable<int> values: text.Append(string.Join(",", values.Select(v => v.ToString(CultureInfo.InvariantCulture)))); break;
                case var nested: Append(text, nested, Array.Empty<string>()); break;
            }
            text.Append(';');
        }
        text.Append('}');
    }
}
