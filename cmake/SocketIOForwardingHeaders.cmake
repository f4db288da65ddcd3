# CamelCase forwarding headers, as Qt modules install them: <SocketIO/Server> includes
# <SocketIO/server.h>. Each ARGN entry is "header.h:Class[,Class...]"; the headers are
# written under <dir>/SocketIO/ (a directory to put on the include path, and to install
# from), and their paths are returned in <out_var>.
function(socketio_forwarding_headers out_var dir)
    set(files)
    foreach(entry IN LISTS ARGN)
        string(REPLACE ":" ";" parts "${entry}")
        list(GET parts 0 header)
        list(GET parts 1 classes)
        string(REPLACE "," ";" classes "${classes}")
        foreach(class IN LISTS classes)
            set(file "${dir}/SocketIO/${class}")
            file(CONFIGURE OUTPUT "${file}" CONTENT "#include <SocketIO/${header}>\n")
            list(APPEND files "${file}")
        endforeach()
    endforeach()
    set(${out_var} ${files} PARENT_SCOPE)
endfunction()
