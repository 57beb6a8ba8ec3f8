add_library(canarydeck_common INTERFACE)
target_compile_features(canarydeck_common INTERFACE cxx_std_20)
target_compile_definitions(canarydeck_common INTERFACE
    QT_NO_CAST_FROM_ASCII
    QT_NO_CAST_TO_ASCII
    QT_NO_URL_CAST_FROM_STRING
    QT_USE_QSTRINGBUILDER
    QT_NO_FOREACH
    CANARYDECK_VERSION="${PROJECT_VERSION}")
# GCC 12 reports std::variant members as maybe-uninitialized where they are not.
target_compile_options(canarydeck_common INTERFACE -Wall -Wextra -pedantic $<$<CXX_COMPILER_ID:GNU>:-Wno-maybe-uninitialized>)
if(CANARYDECK_WERROR)
    target_compile_options(canarydeck_common INTERFACE -Werror)
endif()
if(CANARYDECK_SANITIZE)
    target_compile_options(canarydeck_common INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
                                                       -fno-sanitize-recover=undefined)
    target_link_options(canarydeck_common INTERFACE -fsanitize=address,undefined)
endif()
