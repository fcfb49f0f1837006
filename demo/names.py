"""Vocabularies of the demo data: people, companies, places and collections jargon.

Everything is plain tuples so the generators can pick with `seq[int(random() * len(seq))]`.
"""

import unicodedata
from dataclasses import dataclass

FEMALE_FIRST_NAMES = (
    "María", "Ana", "Laura", "Carolina", "Daniela", "Valentina", "Camila", "Sofía",
    "Isabella", "Mariana", "Paula", "Andrea", "Natalia", "Alejandra", "Juliana", "Catalina",
    "Gabriela", "Luisa", "Diana", "Claudia", "Patricia", "Sandra", "Mónica", "Adriana",
    "Lorena", "Paola", "Marcela", "Angélica", "Liliana", "Gloria", "Martha", "Rosa",
    "Carmen", "Yolanda", "Beatriz", "Fernanda", "Ximena", "Lucía", "Victoria", "Antonella",
    "Florencia", "Agustina", "Micaela", "Josefina", "Constanza", "Javiera", "Francisca",
    "Milagros", "Rocío", "Yesenia", "Jimena", "Valeria", "Sara", "Manuela", "Estefanía",
    "Vanessa", "Verónica", "Silvia", "Teresa", "Elena", "Cecilia", "Guadalupe", "Luz Marina",
    "Ángela", "Leidy", "Yuliana", "Marisol",
)

MALE_FIRST_NAMES = (
    "Juan", "Carlos", "Andrés", "Luis", "Jorge", "José", "Diego", "Santiago", "Sebastián",
    "Mateo", "Nicolás", "Alejandro", "Daniel", "David", "Felipe", "Camilo", "Julián",
    "Miguel", "Fernando", "Ricardo", "Javier", "Óscar", "Mauricio", "Hernán", "Gustavo",
    "Fabián", "Jairo", "Wilson", "Edwin", "Jhon", "Cristian", "Esteban", "Martín", "Tomás",
    "Joaquín", "Matías", "Benjamín", "Agustín", "Facundo", "Gonzalo", "Rodrigo", "Pablo",
    "Ignacio", "Francisco", "Manuel", "Raúl", "Víctor", "Hugo", "Álvaro", "Emilio", "Rafael",
    "Sergio", "Iván", "Héctor", "Eduardo", "Renzo", "Piero", "Bruno", "Lautaro", "Gabriel",
    "Juan Carlos", "Juan Pablo", "Luis Fernando", "Jhonatan", "Wilmer",
)

SURNAMES = (
    "García", "Rodríguez", "Martínez", "López", "González", "Hernández", "Pérez", "Sánchez",
    "Ramírez", "Torres", "Flores", "Rivera", "Gómez", "Díaz", "Reyes", "Morales", "Cruz",
    "Ortiz", "Gutiérrez", "Chávez", "Ramos", "Ruiz", "Jiménez", "Mendoza", "Álvarez",
    "Castillo", "Romero", "Vargas", "Herrera", "Medina", "Aguilar", "Castro", "Rojas",
    "Moreno", "Vásquez", "Muñoz", "Suárez", "Restrepo", "Ospina", "Cárdenas", "Salazar",
    "Quintero", "Zapata", "Arango", "Valencia", "Giraldo", "Londoño", "Cardona", "Mejía",
    "Jaramillo", "Osorio", "Henao", "Montoya", "Sepúlveda", "Betancur", "Duque", "Marín",
    "Patiño", "Rincón", "Parra", "Acosta", "Guerrero", "Peña", "Ríos", "Vega", "Soto",
    "Contreras", "Silva", "Fuentes", "Núñez", "Espinoza", "Figueroa", "Araya", "Tapia",
    "Carrasco", "Bravo", "Fernández", "Sosa", "Benítez", "Acuña", "Ferreyra", "Giménez",
    "Pereyra", "Quispe", "Mamani", "Huamán", "Vílchez", "Paredes", "Cáceres", "Navarro",
    "Delgado", "Cabrera", "Rubio", "Molina", "Ortega", "Escobar", "Beltrán", "Barrera",
    "Camacho", "Orozco", "Bermúdez", "Caicedo",
)

COMPANY_PREFIXES = (
    "Inversiones", "Distribuidora", "Comercializadora", "Constructora", "Transportes",
    "Servicios", "Inmobiliaria", "Agroindustrial", "Importadora", "Soluciones",
    "Ferretería", "Panificadora", "Textiles", "Logística", "Consultores", "Alimentos",
)
COMPANY_SUFFIXES = {
    "CO": ("S.A.S.", "S.A.S.", "S.A.", "Ltda."),
    "PE": ("S.A.C.", "E.I.R.L.", "S.A."),
    "CL": ("SpA", "Ltda.", "S.A."),
    "AR": ("S.R.L.", "S.A.", "S.A.S."),
}

EMAIL_DOMAINS = (
    "gmail.com", "gmail.com", "gmail.com", "hotmail.com", "hotmail.com", "outlook.com",
    "yahoo.com", "yahoo.es", "live.com", "icloud.com",
)

SEGMENTS = ("Consumo", "PYME", "Hipotecario", "Tarjeta de crédito", "Microcrédito")

# Products offered per segment: the "Producto" custom variable.
PRODUCTS = {
    "Consumo": ("Crédito de libre inversión", "Crédito de vehículo", "Crédito educativo"),
    "PYME": ("Capital de trabajo", "Leasing financiero"),
    "Hipotecario": ("Crédito hipotecario", "Leasing habitacional"),
    "Tarjeta de crédito": ("Tarjeta Clásica", "Tarjeta Oro", "Tarjeta Platinum"),
    "Microcrédito": ("Microcrédito",),
}
ALL_PRODUCTS = tuple(dict.fromkeys(p for products in PRODUCTS.values() for p in products))

# Typical amount of one payment order, in Colombian pesos, per segment.
AMOUNT_RANGES_COP = {
    "Consumo": (150_000, 1_200_000),
    "PYME": (500_000, 25_000_000),
    "Hipotecario": (800_000, 4_500_000),
    "Tarjeta de crédito": (80_000, 2_500_000),
    "Microcrédito": (50_000, 400_000),
}

BRANCH_AREAS = ("Centro", "Norte", "Sur", "Occidente", "Oriente")

DELETION_REASONS = (
    "Cliente duplicado",
    "Deuda cedida a un tercero",
    "Solicitud del área comercial",
)


@dataclass(frozen=True)
class Country:
    code: str
    name: str
    currency: str
    timezone: str
    # Amount scale against COP and the rounding unit of amounts.
    scale: float
    rounding: int
    cities: tuple
    # (document type, weight) of a book in this country.
    documents: tuple


COUNTRIES = {
    "CO": Country(
        "CO", "Colombia", "COP", "America/Bogota", 1.0, 100,
        (
            "Bogotá", "Bogotá", "Bogotá", "Medellín", "Medellín", "Cali", "Cali", "Barranquilla",
            "Cartagena", "Bucaramanga", "Pereira", "Manizales", "Cúcuta", "Ibagué", "Santa Marta",
            "Villavicencio", "Pasto", "Montería", "Neiva", "Armenia",
        ),
        # Colombian book with a share of clients from the neighbouring countries, so
        # every document type of the product appears in the demo.
        (("CC", 70), ("CE", 6), ("NIT", 10), ("DNI", 5), ("RUT", 4), ("CUIT", 5)),
    ),
    "PE": Country(
        "PE", "Perú", "PEN", "America/Lima", 0.001, 1,
        (
            "Lima", "Lima", "Lima", "Arequipa", "Trujillo", "Chiclayo", "Piura", "Cusco",
            "Iquitos", "Huancayo",
        ),
        (("DNI", 90), ("CE", 10)),
    ),
    "CL": Country(
        "CL", "Chile", "CLP", "America/Santiago", 0.24, 10,
        (
            "Santiago", "Santiago", "Santiago", "Valparaíso", "Viña del Mar", "Concepción",
            "La Serena", "Antofagasta", "Temuco", "Rancagua", "Talca", "Puerto Montt",
        ),
        (("RUT", 100),),
    ),
    "AR": Country(
        "AR", "Argentina", "ARS", "America/Argentina/Buenos_Aires", 0.3, 1,
        (
            "Buenos Aires", "Buenos Aires", "Buenos Aires", "Córdoba", "Rosario", "Mendoza",
            "La Plata", "Mar del Plata", "San Miguel de Tucumán", "Salta", "Santa Fe", "Neuquén",
        ),
        (("DNI", 65), ("CUIT", 35)),
    ),
}

# Where a client holding each document type lives (DNI: Peru or Argentina).
DOCUMENT_COUNTRIES = {
    "CC": ("CO",), "CE": ("CO",), "NIT": ("CO",), "DNI": ("PE", "AR"), "RUT": ("CL",),
    "CUIT": ("AR",),
}


# Interactions ---------------------------------------------------------------

# Campaigns by the client's state; each with its message templates.
CAMPAIGN_TEMPLATES = {
    "Bienvenida": ("bienvenida_cliente_v1",),
    "Recordatorio de pago": ("recordatorio_pago_v2", "recordatorio_pago_v3"),
    "Aviso de vencimiento": ("aviso_vencimiento_hoy", "aviso_vencimiento_3_dias"),
    "Aviso de mora 30": ("aviso_mora_30",),
    "Aviso de mora 60": ("aviso_mora_60",),
    "Aviso de mora 90": ("aviso_mora_90", "aviso_mora_90_prejuridico"),
    "Oferta de acuerdo de pago": ("acuerdo_pago_descuento", "acuerdo_pago_cuotas"),
    "Confirmación de pago": ("confirmacion_pago_v1",),
    "Encuesta de satisfacción": ("encuesta_nps",),
}
CAMPAIGNS_BY_STATE = {
    "finished": ("Confirmación de pago", "Confirmación de pago", "Encuesta de satisfacción",
                 "Bienvenida"),
    "current": ("Recordatorio de pago", "Recordatorio de pago", "Aviso de vencimiento",
                "Bienvenida"),
    "late_30": ("Aviso de mora 30", "Aviso de mora 30", "Recordatorio de pago"),
    "late_60": ("Aviso de mora 60", "Aviso de mora 30", "Oferta de acuerdo de pago"),
    "late_90": ("Aviso de mora 90", "Aviso de mora 60", "Oferta de acuerdo de pago"),
    "late_more": ("Aviso de mora 90", "Oferta de acuerdo de pago", "Oferta de acuerdo de pago"),
}
INBOUND_CAMPAIGN = "Respuesta del cliente"
# What each campaign is: a flow (a sequence of steps), an event (sent when something happens)
# or a campaign (sent to a chosen group at once).
CAMPAIGN_KINDS = {
    "Bienvenida": "flow",
    "Recordatorio de pago": "campaign",
    "Aviso de vencimiento": "event",
    "Aviso de mora 30": "event",
    "Aviso de mora 60": "event",
    "Aviso de mora 90": "event",
    "Oferta de acuerdo de pago": "campaign",
    "Confirmación de pago": "event",
    "Encuesta de satisfacción": "campaign",
}

# (channel, weight) of outbound messages.
CHANNEL_WEIGHTS = (("whatsapp", 45), ("sms", 20), ("email", 20), ("voice", 10), ("push", 5))
# (status, weight) of a sent message, per channel.
STATUS_WEIGHTS = {
    "whatsapp": (("read", 40), ("delivered", 25), ("sent", 10), ("unread", 10), ("failed", 8),
                 ("answered", 7)),
    "sms": (("delivered", 60), ("sent", 25), ("failed", 15)),
    "email": (("delivered", 30), ("read", 30), ("unread", 25), ("failed", 10), ("bounced", 5)),
    "voice": (("answered", 55), ("failed", 45)),
    "push": (("delivered", 50), ("read", 30), ("failed", 20)),
}
ERROR_MESSAGES = {
    "whatsapp": ("El número no tiene cuenta de WhatsApp", "El usuario bloqueó el número",
                 "Plantilla rechazada por el proveedor"),
    "sms": ("Número inválido", "El operador rechazó el mensaje"),
    "email": ("Buzón lleno", "La dirección de correo no existe", "Rechazado como spam"),
    "voice": ("No contesta", "Número fuera de servicio", "Buzón de voz"),
    "push": ("Token del dispositivo vencido",),
}


# Claims ---------------------------------------------------------------------

CLAIM_DESCRIPTIONS = {
    "contractual": (
        "El cliente no reconoce la tasa de interés pactada.",
        "Solicita copia del contrato y del plan de pagos.",
        "Afirma que el plazo acordado era mayor.",
    ),
    "billing": (
        "Cobro duplicado de la cuota del mes.",
        "El valor facturado no coincide con el extracto.",
        "Le cobraron intereses de mora sobre una cuota ya pagada.",
    ),
    "payment": (
        "Pagó por PSE y el pago no se ve reflejado.",
        "Consignación realizada a una cuenta equivocada.",
        "El botón de pago rechazó la tarjeta varias veces.",
    ),
    "product": (
        "El producto llegó defectuoso y pide la anulación.",
        "El servicio fue suspendido sin aviso previo.",
        "No recibió la tarjeta y le están cobrando la cuota de manejo.",
    ),
}


def ascii_fold(text: str) -> str:
    """'José Núñez' -> 'jose nunez': for e-mail addresses."""
    normalized = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in normalized if not unicodedata.combining(ch)).lower()
