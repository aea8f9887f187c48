using System;
using System.Collections;
using System.Collections.Generic;
using System.Runtime.CompilerServices;

namespace KernelGen.Internal;

/// <summary>
/// An optimizer's registered tensors, in order: a list whose array a step reads as a span. On
/// .NET a <see cref="List{T}"/> would do (CollectionsMarshal reaches its array), but .NET Standard
/// 2.1 cannot reach a list's array, and a copy per step would allocate in every frame of a Unity
/// game. Tensors are only ever appended.
/// </summary>
internal sealed class TensorList : IReadOnlyList<ParameterTensor>
{
    private ParameterTensor[] _items = Array.Empty<ParameterTensor>();
    private int _count;

    /// <inheritdoc/>
    public int Count
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _count;
    }

    /// <inheritdoc/>
    public ParameterTensor this[int index]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            if ((uint)index >= (uint)_count)
            {
                ThrowIndex(index);
            }

            return _items[index];
        }
    }

    /// <summary>
    /// The tensors, as a span over the list's own array (valid until the next <see cref="Add"/>). A
    /// Span, not a ReadOnlySpan: Mono's ReadOnlySpan indexer does not match the .NET Standard 2.1
    /// reference's (it lacks a modreq), so indexing one fails there with a MissingMethodException.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<ParameterTensor> AsSpan() => new(_items, 0, _count);

    /// <summary>Appends <paramref name="tensor"/>, doubling the array when it is full.</summary>
    public void Add(ParameterTensor tensor)
    {
        if (_count == _items.Length)
        {
            Array.Resize(ref _items, Math.Max(4, _items.Length * 2));
        }

        _items[_count++] = tensor;
    }

    /// <summary>An enumerator that allocates nothing when used through this type (a foreach over the list).</summary>
    public Enumerator GetEnumerator() => new(this);

    IEnumerator<ParameterTensor> IEnumerable<ParameterTensor>.GetEnumerator()
    {
        for (int i = 0; i < _count; i++)
        {
            yield return _items[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => ((IEnumerable<ParameterTensor>)this).GetEnumerator();

    private static void ThrowIndex(int index) =>
        throw new ArgumentOutOfRangeException(nameof(index), index, "The index is not that of a registered tensor.");

    /// <summary>Walks the tensors registered when it started.</summary>
    public struct Enumerator
    {
        private readonly ParameterTensor[] _items;
        private readonly int _count;
        private int _index;

        internal Enumerator(TensorList list)
        {
            _items = list._items;
            _count = list._count;
            _index = -1;
        }

        /// <summary>The tensor at the enumerator's position.</summary>
        public readonly ParameterTensor Current => _items[_index];

        /// <summary>Moves to the next tensor; false past the last.</summary>
        public bool MoveNext() => ++_index < _count;
    }
}
