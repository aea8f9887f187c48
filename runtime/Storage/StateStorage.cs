namespace KernelGen;

/// <summary>How an optimizer stores its per-element state buffers.</summary>
public enum StateStorage
{
    /// <summary>32-bit floats (the default).</summary>
    Float32 = 0,

    /// <summary>bfloat16: float32's range with 8 significant bits; half the bytes.</summary>
    BFloat16 = 1,

    /// <summary>IEEE half precision (System.Half); half the bytes, a narrower range.</summary>
    Float16 = 2,

    /// <summary>8-bit codes of a dynamic quantization map with one absmax scale per block of 256 elements (Adam family); about a quarter of the bytes.</summary>
    Int8Blockwise = 3,
}
